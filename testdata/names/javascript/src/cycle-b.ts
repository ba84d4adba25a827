export * from './cycle-a';
export { LOOP } from './cycle-a';
