import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

const SCHEMAS_DIR = path.join(__dirname, '..', '..', 'imports', 'schemas');

/**
 * Validates Kubernetes objects against the JSON schemas generated into imports/schemas (CRDs from
 * ../shared/crds, core kinds from Kubernetes 1.27), treating unknown fields as errors, as the API
 * server's structural-schema pruning would silently drop them.
 */
export class SchemaValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp as any } });
  private readonly cache = new Map<string, ValidateFunction>();

  /** Returns the errors of one object, or [] when it is valid. */
  public errors(obj: any): string[] {
    if (!obj?.apiVersion || !obj?.kind) return [`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`];
    const validate = this.validatorFor(obj.apiVersion, obj.kind);
    if (!validate) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
    const ok = validate(obj);
    const errors = ok ? [] : (validate.errors ?? []).map((e) => `${obj.kind}/${obj.metadata?.name}${e.instancePath}: ${describe(e)}`);
    return [...errors, ...metadataErrors(obj), ...this.podTemplateErrors(obj)];
  }

  /** Pod templates inside custom resources are checked against the core PodTemplateSpec schema. */
  private podTemplateErrors(obj: any): string[] {
    const template = obj.apiVersion === 'argoproj.io/v1alpha1' && obj.kind === 'Rollout' ? obj.spec?.template : undefined;
    if (!template || obj.spec?.workloadRef) return [];
    const validate = this.validatorFor('v1', 'PodTemplateSpec')!;
    return validate(template) ? [] : (validate.errors ?? []).map((e) => `${obj.kind}/${obj.metadata?.name}/spec/template${e.instancePath}: ${describe(e)}`);
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion.replace('/', '_')}_${kind}`;
    if (!this.cache.has(key)) {
      const file = path.join(SCHEMAS_DIR, `${key}.json`);
      if (!fs.existsSync(file)) return undefined;
      const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
      this.cache.set(key, this.ajv.compile(schema['x-kubernetes-scope'] ? structural(schema) : schema));
    }
    return this.cache.get(key);
  }
}

/**
 * CRD patterns are Go (RE2) regular expressions; the PrometheusRule CRD uses Go's `(?i)` flag,
 * which JavaScript rejects: it becomes the `i` flag.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  const insensitive = pattern.includes('(?i)');
  return new RegExp(pattern.replace(/\(\?i\)/g, ''), insensitive ? `${flags}i` : flags);
}
goRegExp.code = 'new RegExp';

function describe(e: ErrorObject): string {
  const extra = (e.params as any)?.additionalProperty;
  return extra === undefined ? `${e.message}` : `${e.message} '${extra}'`;
}

/** Metadata of custom resources is not in their CRD schema; check its shape here. */
function metadataErrors(obj: any): string[] {
  const meta = obj.metadata ?? {};
  const allowed = ['name', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'generateName'];
  const errors = Object.keys(meta).filter((k) => !allowed.includes(k)).map((k) => `${obj.kind}/${meta.name}/metadata: unknown field '${k}'`);
  if (!meta.name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253) {
    errors.push(`${obj.kind}/${meta.name}/metadata/name: not a DNS subdomain name`);
  }
  for (const field of ['labels', 'annotations']) {
    for (const [k, v] of Object.entries(meta[field] ?? {})) {
      if (typeof v !== 'string') errors.push(`${obj.kind}/${meta.name}/metadata/${field}/${k}: must be a string`);
    }
  }
  return errors;
}

/**
 * Turns a CRD's openAPIV3Schema into a JSON schema with the API server's semantics: objects with
 * declared properties reject unknown ones unless they preserve unknown fields; int-or-string fields
 * accept both.
 */
function structural(schema: any): any {
  const walk = (s: any): any => {
    if (!s || typeof s !== 'object') return s;
    const out: any = {};
    for (const [k, v] of Object.entries(s)) {
      if (k.startsWith('x-kubernetes-')) continue;
      if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as any).map(([p, ps]) => [p, walk(ps)]));
      else if (k === 'items' || k === 'additionalProperties' || k === 'not') out[k] = typeof v === 'object' ? walk(v) : v;
      else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = (v as any[]).map(walk);
      else out[k] = v;
    }
    if (s['x-kubernetes-int-or-string']) {
      delete out.type;
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    }
    if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
      out.additionalProperties = false;
    }
    return out;
  };
  const root = walk(schema);
  // apiVersion/kind/metadata are handled by the API server, not the CRD schema.
  root.properties = { ...root.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return root;
}
