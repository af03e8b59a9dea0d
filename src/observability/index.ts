export * from './rollout-alerts';
export * from './rollout-selection';
