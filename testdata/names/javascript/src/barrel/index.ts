export * from '../flags';
export { FLAGS as F2 } from '../flags';
export * from './more';
export * as nested from './more';
