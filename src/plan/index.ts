export * from './plan-step';
export * from './rollout-plan';
export * from './rollout-plans';
