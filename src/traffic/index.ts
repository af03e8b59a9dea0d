export * from './traffic-split';
