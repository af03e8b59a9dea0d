export * from './rollout-rules';
export * from './rule-violation';
