export * from './cycle-b';
