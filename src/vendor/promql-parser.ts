/**
 * The Prometheus grammar (`@prometheus-io/lezer-promql` and its `@lezer/*` peers). The compile task
 * bundles this file with esbuild into `lib/src/vendor/promql-parser.js`, so the package needs none
 * of them installed (npm does not install the peers of bundled packages).
 */

/** The part of the lezer tree cursor used here (preflight walks the syntax tree). */
export interface PromqlCursor {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly type: { readonly isError: boolean };
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
}

/** The part of the lezer parser used here. */
export interface PromqlParser {
  parse(text: string): {
    iterate(spec: { enter(node: { type: { isError: boolean }; from: number }): boolean }): void;
    cursor(): PromqlCursor;
  };
}

// An ES module whose CommonJS build is required directly (module resolution node16 in a CommonJS package).
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const parser: PromqlParser = require('@prometheus-io/lezer-promql').parser;
