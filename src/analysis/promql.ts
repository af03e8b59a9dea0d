import { Duration } from 'cdk8s';
import { promqlParser } from '../vendor-load';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid Prometheus metric name. */
export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** Whether `name` is a valid Prometheus label name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith('__');
}

/** Escapes a value for the inside of a double-quoted PromQL string. */
export function escapeString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** Escapes a value so that an RE2 regular expression matches it literally. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** A PromQL range (`30s`, `2m`, `1h`) in the largest unit that divides it. */
export function promqlDuration(duration: Duration): string {
  const ms = duration.toMilliseconds();
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A Go duration string for analysis `interval` / `initialDelay` (same format as PromQL ranges). */
export const goDuration = promqlDuration;

/** `{{args.<name>}}` placeholders, as the controller resolves them. */
export const ARG_PLACEHOLDER = /\{\{\s*args\.([^}\s]+)\s*\}\}/g;

/** The names of the `{{args.x}}` placeholders a text uses, in order of first use. */
export function placeholderArgs(text: string): string[] {
  return [...new Set([...text.matchAll(ARG_PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * The first syntax error of a PromQL query by the Prometheus grammar (`@prometheus-io/lezer-promql`),
 * or undefined. Argument placeholders are replaced by a sample value first, as the controller would.
 */
export function promqlSyntaxError(query: string): string | undefined {
  const text = query.replace(ARG_PLACEHOLDER, 'arg');
  if (text.trim() === '') return 'empty query';
  // Services differ only in escaped label values: a query whose shape (string literals emptied)
  // parsed once parses again, so thousands of services cost a handful of parses.
  const shape = text.replace(STRING_LITERAL, '""');
  if (VALID_SHAPES.has(shape)) return undefined;
  if (firstError(shape) === undefined) {
    VALID_SHAPES.add(shape);
    return undefined;
  }
  const error = firstError(text);
  if (error === undefined) return undefined;
  return `syntax error at character ${error + 1}: "${text.slice(Math.max(0, error - 20), error)}⟨here⟩${text.slice(error, error + 20)}"`;
}

/** Complete PromQL string literals (double, single or back-quoted), as the lexer reads them. */
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`/g;
const VALID_SHAPES = new Set<string>();

/** Offset of the first syntax error by the Prometheus grammar, or undefined. */
function firstError(text: string): number | undefined {
  let error: number | undefined;
  promqlParser().parse(text).iterate({
    enter: (node) => {
      if (error === undefined && node.type.isError) error = node.from;
      return error === undefined;
    },
  });
  return error;
}
