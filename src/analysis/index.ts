export * from './analysis-argument';
export * from './analysis-template';
export * from './query-target';
export * from './request-metrics';
export * from './rollout-analysis';
