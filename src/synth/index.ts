export * from './progressive-app';
