export * from './canary-rollout';
export * from './canary-step';
export * from './pod-metadata';
export * from './rollout-base';
