export * from './blue-green-rollout';
export * from './canary-rollout';
export * from './canary-step';
export * from './environment-profile';
export * from './pod-metadata';
export * from './progressive-service';
export * from './rollout-base';
export * from './workload-ref';
