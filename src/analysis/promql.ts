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

/**
 * A `{{...}}` placeholder as the controller's template engine (fasttemplate) reads it: from `{{` to
 * the next `}}`. The controller trims the tag and replaces `args.<name>` by the argument of exactly
 * that name; any other tag fails (`failed to resolve {{tag}}`).
 */
export const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/**
 * Argument names accepted in `{{args.x}}` (the library's rule: letters, digits, `-`, `_`, `.`,
 * starting and ending with a letter or digit). The controller looks up any text up to `}}`, so a
 * name outside this set is a missing `}}` or a query fragment, not an argument.
 */
export const ARG_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** One `{{...}}` placeholder of a text. */
export interface Placeholder {
  /** The placeholder as written, braces included. */
  readonly text: string;
  /** The argument name after `args.` (trimmed as the controller does), if the tag starts with `args.`. */
  readonly argName?: string;
  /** Why the controller (or the library's argument-name rule) cannot resolve it, if it cannot. */
  readonly problem?: string;
}

/** The `{{...}}` placeholders of a text, in order, each with its problem if it has one. */
export function placeholders(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => {
    const tag = m[1].trim();
    if (!tag.startsWith('args.')) return { text: m[0], problem: `failed to resolve ${m[0]}: the controller resolves only {{args.<name>}}` };
    const argName = tag.slice('args.'.length);
    if (!ARG_NAME.test(argName)) {
      return { text: m[0], argName, problem: `${m[0]}: "${argName}" is not an argument name (letters, digits, '-', '_', '.'; a placeholder ends at the first "}}")` };
    }
    return { text: m[0], argName };
  });
}

/** The names of the valid `{{args.x}}` placeholders a text uses, in order of first use. */
export function placeholderArgs(text: string): string[] {
  return [...new Set(placeholders(text).filter((p) => p.problem === undefined).map((p) => p.argName!))];
}

/**
 * The first syntax error of a PromQL query by the Prometheus grammar (`@prometheus-io/lezer-promql`),
 * or undefined. Argument placeholders are replaced by a sample value first, as the controller would.
 */
export function promqlSyntaxError(query: string): string | undefined {
  const text = query.replace(PLACEHOLDER, 'arg');
  if (text.trim() === '') return 'empty query';
  const refused = promqlSemanticError(query);
  if (refused) return refused;
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

/** A PromQL duration literal (`5m`, `1h30m`, `0s`). */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
/** Range and subquery brackets (`[5m]`, `[1h:30s]`), and `offset` modifiers, outside strings. */
const WINDOWS = /\[\s*([^\]:\s]*)\s*(?::\s*([^\]\s]*)\s*)?\]|\boffset\s+(-?)([0-9][0-9a-z]*)/g;
/** A regular expression matcher and its (double- or single-quoted) string. */
const REGEX_MATCHER = /[=!]~\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)/g;

/**
 * What Prometheus refuses in a query the grammar accepts, with its message, or undefined:
 * zero durations in ranges, subquery steps and offsets (`duration must be greater than 0`), and
 * regular expressions Go's RE2 does not compile (lookarounds, backreferences, bad repeats).
 * `promtool check rules` is the judge the tests hold this to.
 */
export function promqlSemanticError(query: string): string | undefined {
  const text = query.replace(PLACEHOLDER, 'arg');
  for (const m of text.replace(STRING_LITERAL, '""').matchAll(WINDOWS)) {
    for (const duration of [m[1], m[2], m[4]]) {
      if (duration !== undefined && DURATION.test(duration) && !/[1-9]/.test(duration)) {
        return `${m[0].trim()}: duration must be greater than 0`;
      }
    }
  }
  for (const m of text.matchAll(REGEX_MATCHER)) {
    const error = re2Error(unquote(m[1]));
    if (error) return `${m[0]}: error parsing regexp: ${error}`;
  }
  return undefined;
}

/** The value of a PromQL string literal (Go's escapes). */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal[0] === '`') return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (e.length === 1) return simple[e] ?? e;
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return String.fromCodePoint(parseInt(e.slice(1), 16));
  });
}

/** Letters Go's RE2 accepts after a backslash. */
const RE2_ESCAPES = new Set([...'AbBdDpPsSwWzQExafnrtv']);

/**
 * Why Go's `regexp/syntax` (RE2) refuses `regex`, or undefined: the Perl forms RE2 does not have
 * (lookarounds, atomic groups, backreferences, escapes it does not know), repeat counts out of
 * order or over 1000, then what JavaScript's parser refuses too (unbalanced groups, nothing to
 * repeat).
 */
export function re2Error(regex: string): string | undefined {
  for (let i = 0; i < regex.length; i++) {
    if (regex[i] === '\\') {
      const next = regex[i + 1] ?? '';
      const backreference = /[1-7]/.test(next) && !/[0-7]/.test(regex[i + 2] ?? '');
      if (backreference || next === '8' || next === '9' || (/[A-Za-z]/.test(next) && !RE2_ESCAPES.has(next)) || next === '') {
        return `invalid escape sequence: \`\\${next}\``;
      }
      i++;
    } else if (regex.startsWith('(?', i)) {
      const perl = /^\(\?(<?[=!]|<|>|\||#|[imsU-]*[^imsU\-:)P])/.exec(regex.slice(i));
      if (perl) return `invalid or unsupported Perl syntax: \`${perl[0]}\``;
    }
  }
  for (const m of regex.matchAll(/\{(\d+)(,(\d*))?\}/g)) {
    const min = Number(m[1]);
    const max = m[3] === undefined || m[3] === '' ? min : Number(m[3]);
    if (min > 1000 || max > 1000 || (m[3] !== '' && m[3] !== undefined && min > max)) return `invalid repeat count: \`${m[0]}\``;
  }
  try {
    new RegExp(regex.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU-]+\)/g, '').replace(/\(\?[imsU-]+:/g, '(?:').replace(/\\[QEz]/g, ''));
  } catch (e: any) {
    return String(e.message).replace(/^Invalid regular expression: /, '');
  }
  return undefined;
}
