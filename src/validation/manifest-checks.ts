import { inlineCredential, inlineHeaderCredential, SECRET_REFERENCE_HINT } from './credentials';
import type { RuleViolation } from './rule-violation';
import { GO_YAML_UNREADABLE, isGoYamlHazard } from '../synth/go-yaml';

/**
 * The violations of one manifest, whichever prop or patch a value came from:
 * - numbers are finite (NaN and infinities are no JSON numbers; YAML would get `.nan`);
 * - no string holds an inline credential (`user:password@`, a `?token=` query parameter, a
 *   token-like header value, a well-known token format);
 * - Go's YAML library reads every string back as written (`App.synth()` writes `0o17` or a raw
 *   U+2028 as they are, and kubectl, the API server and Argo CD read something else).
 */
export function manifestViolations(manifest: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const object = `${manifest?.kind}/${manifest?.metadata?.name}`;
  const add = (field: string, message: string, allowed: string) => violations.push({ property: field, field: `${object} ${field}`, message, allowed });

  const visit = (value: any, field: string, inHeaders: boolean) => {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) add(field, `Invalid value: ${value}: not a finite number`, 'a finite number');
    } else if (typeof value === 'string') {
      checkString(value, field, add);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${field}[${i}]`, inHeaders));
    } else if (value !== null && typeof value === 'object') {
      const headerName = inHeaders ? (value.key ?? value.name) : undefined;
      if (typeof headerName === 'string' && typeof value.value === 'string') {
        const found = inlineHeaderCredential(headerName, value.value);
        if (found) add(`${field}.value`, `${found}; secrets are never written into manifests`, SECRET_REFERENCE_HINT);
      }
      for (const [key, child] of Object.entries(value)) {
        const at = field === '' ? key : `${field}.${key}`;
        checkYamlString(key, at, add);
        visit(child, at, key === 'headers');
      }
    }
  };
  visit(manifest, '', false);
  return violations;
}

type Add = (field: string, message: string, allowed: string) => void;

function checkString(value: string, field: string, add: Add): void {
  checkYamlString(value, field, add);
  const found = inlineCredential(value);
  if (found) add(field, `holds ${found}; secrets are never written into manifests`, SECRET_REFERENCE_HINT);
}

/** Refuses a string Go's YAML library would not read back from cdk8s's output as written. */
function checkYamlString(value: string, field: string, add: Add): void {
  const unreadable = value.match(GO_YAML_UNREADABLE);
  if (unreadable) {
    const code = `U+${unreadable[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    add(field, `Invalid value: ${JSON.stringify(value)}: character ${code} is not read back by Go's YAML library (kubectl, the API server, Argo CD)`, 'text without DEL, C1 controls, U+2028, U+2029, U+FEFF, U+FFFE or U+FFFF (use \\n for a line break)');
  } else if (isGoYamlHazard(value)) {
    add(field, `Invalid value: ${JSON.stringify(value)}: written unquoted by cdk8s, Go's YAML library (kubectl, the API server, Argo CD) reads it as another type`, 'a string Go reads as a string (e.g. not 0o17, 0X1F, 0B11, <<)');
  }
}
