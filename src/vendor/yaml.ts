/**
 * The part of the `yaml` library used here. The compile task bundles this file with esbuild into
 * `lib/src/vendor/yaml.js`, loaded on first use (src/vendor-load.ts), so `require()` of the package
 * does not parse it and nothing needs it installed.
 */
export { Document, LineCounter, parse, parseAllDocuments, stringify } from 'yaml';
