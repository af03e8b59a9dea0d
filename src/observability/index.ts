export * from './notification-target';
export * from './notification-trigger';
export * from './rollout-alerts';
export * from './rollout-dashboard';
export * from './rollout-notification-config';
export * from './rollout-notifications';
export * from './rollout-selection';
