// First: a missing peer dependency is reported in one sentence before anything loads it.
import './peer-dependencies';
export * from './analysis';
export * from './controller';
export * from './observability';
export * from './plan';
export * from './rollout';
export * from './synth';
export * from './traffic';
export * from './validation';

// --- preflight: run a release's analyses against a real Prometheus ---
export * from './preflight';
