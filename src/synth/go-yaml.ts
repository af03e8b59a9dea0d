import { Yaml } from 'cdk8s';

/*
 * How Go's YAML library (go-yaml v2, used through sigs.k8s.io/yaml by kubectl, the API server and
 * Argo CD; v3 resolves a subset of these) reads a plain scalar, and which characters it cannot
 * read at all. The `yaml` library cdk8s writes with follows YAML 1.1's tag regexes, which miss
 * some of Go's forms: `0o17`, `0X1F`, `0B11`, `+0o17`, `-_1`, `<<`, a raw U+2028 or U+FEFF.
 */

/** go-yaml v2's map of plain scalars that are not strings (resolve.go `resolveMapList`). */
const RESOLVED_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF',
  '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
/** Go `strconv.ParseInt(s, 0, 64)` syntax (go-yaml removes every `_` first). */
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
/** go-yaml v2's `yamlStyleFloat`. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go `strconv.ParseFloat` syntax, tried for scalars starting with `.`. */
const GO_PARSE_FLOAT = /^[-+]?(\.[0-9]+([eE][-+]?[0-9]+)?|(inf|infinity|nan))$/i;
/** A date or time go-yaml v2 reads as a timestamp. */
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)/;

/** Whether go-yaml reads `value`, written as a plain (unquoted) scalar, as something else than this string. */
export function goYamlReadsOtherwise(value: string): boolean {
  if (RESOLVED_WORDS.has(value)) return true;
  const first = value[0];
  if (first === '.') return GO_PARSE_FLOAT.test(value);
  if (!/[-+0-9]/.test(first)) return false;
  const plain = value.replace(/_/g, '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || GO_TIMESTAMP.test(value);
}

/**
 * Characters go-yaml cannot read back as `yaml` writes them (raw, even inside quotes): the line
 * separators it takes for line breaks (U+0085, U+2028, U+2029), DEL and the C1 controls, a byte
 * order mark inside the text, U+FFFE and U+FFFF. (`yaml` escapes the C0 controls and unpaired
 * surrogates itself.)
 */
export const GO_YAML_UNREADABLE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

/**
 * `value` as a double-quoted YAML scalar every reader takes for this exact string: JSON escapes
 * (valid YAML double-quoted escapes) plus `\uXXXX` for the characters JSON leaves raw.
 */
export function goYamlQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\u{D800}-\u{DFFF}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A string cdk8s's writer would leave as go-yaml reads otherwise (raw U+2028, plain `0o17`). */
export function isGoYamlHazard(value: string): boolean {
  return GO_YAML_UNREADABLE.test(value) || (goYamlReadsOtherwise(value) && Yaml.stringify(value) === `${value}\n`);
}
