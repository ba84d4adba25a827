export const FLAGS = {
  CHECKOUT: 'checkout-v2',
  NESTED: { BANNER: 'home-banner' },
} as const;
export const FROZEN = Object.freeze({ DARK: 'dark-mode' });
export enum Flag {
  Search = 'new-search',
  Count = 3,
}
export const SINGLE = 'single-key';
const hidden = 'hidden-key';
export { hidden as RENAMED };
export let changing = 'first';
changing = 'second';
export const ALIASED = FLAGS.NESTED.BANNER;
export default { DEF: 'default-key' };
