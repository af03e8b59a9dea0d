import type * as GrafanaSdk from './vendor/grafana-sdk';
import type { PromqlParser } from './vendor/promql-parser';

// The bundles are loaded on first use: they are most of what `require('cdk8s-argo-rollouts')` would
// otherwise cost, and apps without dashboards or PromQL never pay for them.
let grafanaModules: typeof GrafanaSdk | undefined;
let promql: { parser: PromqlParser } | undefined;

/** The Grafana SDK modules `RolloutDashboard` uses. */
export function grafanaSdk(): typeof GrafanaSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return grafanaModules ??= require('./vendor/grafana-sdk');
}

/** The Prometheus grammar's parser. */
export function promqlParser(): PromqlParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (promql ??= require('./vendor/promql-parser')).parser;
}
