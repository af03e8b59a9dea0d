export * from './analysis';
export * from './rollout';
export * from './traffic';
export * from './validation';
