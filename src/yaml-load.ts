import type * as YamlModule from './vendor/yaml';

// The `yaml` library is loaded on first use, like the other vendor bundles (src/vendor-load.ts):
// `require('cdk8s-argo-rollouts')` does not pay for it, only code that writes or reads YAML itself.
let yamlModule: typeof YamlModule | undefined;

/** The `yaml` library (the part of it in src/vendor/yaml.ts). */
export function yamlLibrary(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return yamlModule ??= require('./vendor/yaml');
}
