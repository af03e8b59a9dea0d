export * from './rollout-alerts';
export * from './rollout-dashboard';
export * from './rollout-selection';
