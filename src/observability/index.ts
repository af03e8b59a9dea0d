export * from './argocd-application';
export * from './notification-target';
export * from './rollout-alerts';
export * from './rollout-dashboard';
export * from './rollout-notification-trigger';
export * from './rollout-notifications';
export * from './rollout-selection';
export * from './rollout-service-monitor';
