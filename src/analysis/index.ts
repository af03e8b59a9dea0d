export * from './analysis-argument';
export * from './analysis-template';
export * from './rollout-analysis';
