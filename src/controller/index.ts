export * from './controller-manifests';
export * from './controller-notifications';
export * from './controller-plugin';
export * from './controller-sizing';
export * from './notification-service';
export * from './rollouts-controller';
export * from './shared-analysis-template';
