import Ajv from 'ajv';
import { SchemaValidator } from './support/schema';

/**
 * The shared schema validator, except that Go's `(?i)` regex flag (used by the PrometheusRule CRD's
 * `partial_response_strategy` pattern, which JavaScript rejects) becomes the `i` flag.
 * TODO: move into test/support/schema.ts (owned by the lead) and delete this file.
 */
function goRegExp(pattern: string, flags: string) {
  const insensitive = pattern.includes('(?i)');
  return new RegExp(pattern.replace(/\(\?i\)/g, ''), insensitive ? `${flags}i` : flags);
}
goRegExp.code = 'new RegExp';

export const schemas = new SchemaValidator();
(schemas as any).ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
