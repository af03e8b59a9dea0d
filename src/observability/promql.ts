import { escapeString } from '../analysis/promql';

/** An equality matcher `label="value"`, the value escaped. */
export function eq(label: string, value: string): string {
  return `${label}="${escapeString(value)}"`;
}

/** A regex matcher `label=~"regex"`, the regex string-escaped (not regex-escaped). */
export function re(label: string, regex: string): string {
  return `${label}=~"${escapeString(regex)}"`;
}

/** `{a="x",b=~"y"}` from matchers; empty when there are none. */
export function selector(matchers: string[]): string {
  return matchers.length > 0 ? `{${matchers.join(',')}}` : '';
}
