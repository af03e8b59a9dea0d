import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { manifestViolations } from './manifest-checks';
import type { RuleViolation } from './rule-violation';

/*
 * The API server's name rules (k8s.io/apimachinery/pkg/util/validation, with the texts it reports)
 * for every object the library writes, and the one-object-per-name rule of an app.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const LABEL_TEXT = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_TEXT = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_TEXT = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names are RBAC path segments (`ValidateRBACName`): anything but `.`, `..`, `/` and `%`. */
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** Cluster-scoped kinds the library or its users write: their namespace is not part of their identity. */
const CLUSTER_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ClusterAnalysisTemplate', 'IngressClass', 'GatewayClass',
  'PriorityClass', 'StorageClass', 'PersistentVolume', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService',
]);

/** The API server's errors for the name of an object of `kind` (empty when the name is valid). */
export function nameErrors(kind: string, name: string): string[] {
  if (RBAC_KINDS.has(kind)) {
    if (name === '.' || name === '..') return [`may not be '${name}'`];
    const bad = ['/', '%'].find((c) => name.includes(c));
    return bad ? [`may not contain '${bad}'`] : [];
  }
  if (kind === 'Service') return dnsErrors(name, DNS1035_LABEL, DNS1035_TEXT, 63);
  if (kind === 'Namespace') return dnsErrors(name, DNS1123_LABEL, LABEL_TEXT, 63);
  return dnsErrors(name, DNS1123_SUBDOMAIN, SUBDOMAIN_TEXT, 253);
}

/** The API server's errors for a namespace name (a DNS-1123 label). */
export function namespaceErrors(namespace: string): string[] {
  return dnsErrors(namespace, DNS1123_LABEL, LABEL_TEXT, 63);
}

function dnsErrors(value: string, pattern: RegExp, text: string, max: number): string[] {
  const errors: string[] = [];
  if (value.length > max) errors.push(`must be no more than ${max} characters`);
  if (!pattern.test(value)) errors.push(text);
  return errors;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_TEXT = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_VALUE_TEXT = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** The API server's errors for a label or annotation key (`IsQualifiedName`: an optional DNS-1123 subdomain prefix, `/`, a name of at most 63 characters). */
export function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) return [`a qualified name must consist of a prefix and a name separated by at most one '/' (${QUALIFIED_NAME_TEXT.replace(/^name part /, '')})`];
  const name = parts.at(-1)!;
  const errors: string[] = [];
  if (parts.length === 2) {
    if (parts[0] === '') errors.push('prefix part must be non-empty');
    else errors.push(...dnsErrors(parts[0], DNS1123_SUBDOMAIN, SUBDOMAIN_TEXT, 253).map((e) => `prefix part ${e}`));
  }
  if (name === '') return [...errors, 'name part must be non-empty'];
  if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errors.push(QUALIFIED_NAME_TEXT);
  return errors;
}

/** The API server's errors for a label value (`IsValidLabelValue`). */
export function labelValueErrors(value: string): string[] {
  return [...(value.length > 63 ? ['must be no more than 63 characters'] : []), ...(LABEL_VALUE.test(value) ? [] : [LABEL_VALUE_TEXT])];
}

/** Constructs whose own objects are checked by them (nested ones check theirs). */
const checkedScopes = new WeakSet<IConstruct>();
/** Apps (construct roots) whose objects are checked for duplicates. */
const checkedRoots = new WeakSet<IConstruct>();

/**
 * Registers the synth-time object checks for `scope`: the final name and namespace of each API
 * object it creates (its subtree, less the subtrees of nested constructs that check their own)
 * against the API server's rule for its kind, and, once per app, that no two objects share a kind,
 * namespace and name.
 */
export function addObjectChecks(scope: IConstruct, report: (violations: () => RuleViolation[]) => void): void {
  if (checkedScopes.has(scope)) return;
  checkedScopes.add(scope);
  report(() => ownObjects(scope).flatMap((object) => [...objectNameViolations(scope, object), ...manifestViolations(object.toJson())]));
  const root = scope.node.root;
  if (!checkedRoots.has(root)) {
    checkedRoots.add(root);
    root.node.addValidation({ validate: () => duplicateObjects(root) });
  }
}

function ownObjects(scope: IConstruct): ApiObject[] {
  const found: ApiObject[] = [];
  const visit = (c: IConstruct) => {
    if (ApiObject.isApiObject(c)) found.push(c);
    for (const child of c.node.children) if (!checkedScopes.has(child)) visit(child);
  };
  visit(scope);
  return found;
}

function objectNameViolations(scope: IConstruct, object: ApiObject): RuleViolation[] {
  const json = object.toJson();
  const name = json.metadata?.name;
  const namespace = json.metadata?.namespace;
  const own = object.node.scope === scope;
  const what = `${json.kind} "${name}"${own ? '' : ` (${object.node.path})`}`;
  const violations: RuleViolation[] = [];
  if (typeof name === 'string') {
    for (const error of nameErrors(json.kind, name)) {
      violations.push({
        property: 'metadata.name',
        field: 'metadata.name',
        message: `${what}: Invalid value: "${name}": ${error}`,
        allowed: json.kind === 'Service'
          ? 'a DNS-1035 label of at most 63 characters (derived Service names add -stable, -canary, -active or -preview to the name)'
          : 'a lowercase DNS-1123 name',
      });
    }
  }
  for (const map of ['labels', 'annotations']) {
    for (const [key, value] of Object.entries<any>(json.metadata?.[map] ?? {})) {
      for (const error of qualifiedNameErrors(key)) {
        violations.push({ property: `metadata.${map}`, field: `metadata.${map}`, message: `${what}: Invalid value: "${key}": ${error}`, allowed: 'a key [prefix/]name, the name at most 63 characters of letters, digits, - _ .' });
      }
      for (const error of map === 'labels' && typeof value === 'string' ? labelValueErrors(value) : []) {
        violations.push({ property: 'metadata.labels', field: `metadata.labels.${key}`, message: `${what}: Invalid value: "${value}": ${error}`, allowed: 'at most 63 letters, digits, - _ . (starting and ending with a letter or digit), or empty' });
      }
    }
  }
  if (typeof namespace === 'string') {
    for (const error of namespaceErrors(namespace)) {
      violations.push({ property: 'metadata.namespace', field: 'metadata.namespace', message: `${what}: Invalid value: "${namespace}": ${error}`, allowed: 'a DNS-1123 label of at most 63 characters' });
    }
  }
  return violations;
}

/** One line per object that has the kind, namespace and name of an earlier one. */
function duplicateObjects(root: IConstruct): string[] {
  const seen = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (const object of root.node.findAll().filter(ApiObject.isApiObject)) {
    let json: any;
    try {
      json = object.toJson();
    } catch {
      continue; // a patch that fails is reported by the object's own checks (or by cdk8s's synth)
    }
    const group = String(json.apiVersion ?? '').includes('/') ? String(json.apiVersion).split('/')[0] : '';
    const namespace = CLUSTER_KINDS.has(json.kind) ? '' : (json.metadata?.namespace ?? '');
    const key = JSON.stringify([group, json.kind, namespace, json.metadata?.name]);
    const first = seen.get(key);
    if (!first) {
      seen.set(key, object);
      continue;
    }
    const where = namespace === '' ? '' : ` in namespace "${namespace}"`;
    errors.push(`metadata.name: metadata.name: ${json.kind} "${json.metadata?.name}"${where} is written twice, by ${first.node.path} and ${object.node.path}: the last one applied replaces the other (allowed: one object per kind, namespace and name)`);
  }
  return errors;
}
