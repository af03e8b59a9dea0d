import type * as GrafanaSdk from './vendor/grafana-sdk';
import type { PromqlParser } from './vendor/promql-parser';
import type * as YamlModule from './vendor/yaml';

// The bundles are loaded on first use: they are most of what `require('cdk8s-argo-rollouts')` would
// otherwise cost, and apps without dashboards or PromQL never pay for them; `yaml` is loaded only by
// code that writes or reads YAML itself.
let grafanaModules: typeof GrafanaSdk | undefined;
let promql: { parser: PromqlParser } | undefined;
let yamlModule: typeof YamlModule | undefined;

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

/** The `yaml` library (the part of it in src/vendor/yaml.ts). */
export function yamlLibrary(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return yamlModule ??= require('./vendor/yaml');
}
