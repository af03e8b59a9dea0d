/**
 * Regenerates `imports/` from the pinned upstream CRDs in `../shared/crds` (or $CRDS_DIR):
 *  - cdk8s bindings, one TypeScript module per API group (`cdk8s import`);
 *  - `imports/schemas/<group>_<version>_<Kind>.json`: the openAPIV3Schema of every imported kind, and
 *    the core Kubernetes kinds the library emits, derived from cdk8s-plus-27's Kubernetes 1.27 types.
 *
 * Running it twice gives byte-identical files. The build and the tests only read the committed output.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createGenerator } from 'ts-json-schema-generator';
import * as YAML from 'yaml';

const root = path.resolve(__dirname, '..');
const crdsDir = path.resolve(process.env.CRDS_DIR ?? path.join(root, '..', 'shared', 'crds'));
const importsDir = path.join(root, 'imports');
const schemasDir = path.join(importsDir, 'schemas');

/** The CRDs to import, grouped by the module (API group) cdk8s writes them into. */
const GROUPS: Record<string, string[]> = {
  'argoproj.io': [
    'argo-rollouts/rollout-crd.yaml',
    'argo-rollouts/analysis-template-crd.yaml',
    'argo-rollouts/cluster-analysis-template-crd.yaml',
    'argo-rollouts/experiment-crd.yaml',
    'argo-cd/application-crd.yaml',
    'argo-cd/applicationset-crd.yaml',
  ],
  'networking.istio.io': [
    'istio/virtualservices.networking.istio.io.yaml',
    'istio/destinationrules.networking.istio.io.yaml',
  ],
  'monitoring.coreos.com': [
    'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
    'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
  ],
  'gateway.networking.k8s.io': ['gateway-api/gateway.networking.k8s.io_httproutes.yaml'],
};

/** Core kinds the library emits, with the cdk8s-plus-27 props interface that mirrors their schema. */
const CORE_KINDS: Array<[apiVersion: string, kind: string, propsType: string]> = [
  ['v1', 'ConfigMap', 'KubeConfigMapProps'],
  ['v1', 'Namespace', 'KubeNamespaceProps'],
  ['v1', 'Secret', 'KubeSecretProps'],
  ['v1', 'Service', 'KubeServiceProps'],
  ['v1', 'ServiceAccount', 'KubeServiceAccountProps'],
  ['apps/v1', 'Deployment', 'KubeDeploymentProps'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'KubeHorizontalPodAutoscalerV2Props'],
  ['batch/v1', 'Job', 'KubeJobProps'],
  ['networking.k8s.io/v1', 'Ingress', 'KubeIngressProps'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'KubeNetworkPolicyProps'],
  ['policy/v1', 'PodDisruptionBudget', 'KubePodDisruptionBudgetProps'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'KubeClusterRoleProps'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'KubeClusterRoleBindingProps'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'KubeRoleProps'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'KubeRoleBindingProps'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'KubeCustomResourceDefinitionProps'],
];

function schemaFileName(apiVersion: string, kind: string): string {
  return `${apiVersion.replace('/', '_')}_${kind}.json`;
}

function writeJson(file: string, value: unknown) {
  fs.writeFileSync(file, JSON.stringify(sortKeys(value), undefined, 2) + '\n');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as any)[k])]));
  }
  return value;
}

function importCrds() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));
  try {
    for (const [group, files] of Object.entries(GROUPS)) {
      const docs: any[] = [];
      for (const file of files) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(crdsDir, file), 'utf8'))) {
          const crd = doc.toJSON();
          if (crd?.kind !== 'CustomResourceDefinition') continue;
          docs.push(crd);
          for (const version of crd.spec.versions) {
            const apiVersion = `${crd.spec.group}/${version.name}`;
            writeJson(path.join(schemasDir, schemaFileName(apiVersion, crd.spec.names.kind)), {
              'x-kubernetes-scope': crd.spec.scope,
              ...version.schema.openAPIV3Schema,
            });
          }
        }
      }
      const input = path.join(tmp, `${group}.yaml`);
      fs.writeFileSync(input, docs.map((d) => YAML.stringify(d)).join('---\n'));
      execFileSync(path.join(root, 'node_modules', '.bin', 'cdk8s'), ['import', input, '--language', 'typescript', '--output', importsDir], {
        cwd: tmp,
        stdio: 'inherit',
      });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The TypeScript property names of cdk8s's Kubernetes types are camel-cased (`setHostnameAsFqdn`);
 * their `toJson_<Type>` functions map them back to the JSON names (`setHostnameAsFQDN`). Reads those
 * mappings so the schemas use the names the API server knows.
 */
function jsonNames(k8sJs: string): Map<string, Map<string, string>> {
  const byType = new Map<string, Map<string, string>>();
  const source = fs.readFileSync(k8sJs, 'utf8');
  for (const fn of source.matchAll(/function toJson_(\w+)\(obj\) \{([\s\S]*?)\n\}/g)) {
    const names = new Map<string, string>();
    for (const m of fn[2].matchAll(/'([^']+)': (?:[\w.]+\()?obj\.(\w+)/g)) {
      if (m[1] !== m[2]) names.set(m[2], m[1]);
    }
    if (names.size > 0) byType.set(fn[1], names);
  }
  return byType;
}

/** Renames the properties of every definition to their JSON names. */
function renameToJson(definitions: Record<string, any>, names: Map<string, Map<string, string>>) {
  for (const [type, definition] of Object.entries(definitions)) {
    const renames = names.get(type);
    if (!renames || !definition.properties) continue;
    definition.properties = Object.fromEntries(Object.entries(definition.properties).map(([k, v]) => [renames.get(k) ?? k, v]));
    if (definition.required) definition.required = definition.required.map((k: string) => renames.get(k) ?? k);
  }
}

/** JSON schemas for core kinds, generated from cdk8s-plus-27's imported Kubernetes 1.27 types. */
function coreSchemas() {
  const names = jsonNames(require.resolve('cdk8s-plus-27/lib/imports/k8s.js'));
  const k8sTypes = require.resolve('cdk8s-plus-27/lib/imports/k8s.d.ts');
  const generator = createGenerator({
    path: k8sTypes,
    skipTypeCheck: true,
    additionalProperties: false,
    expose: 'all',
    topRef: false,
    jsDoc: 'none',
  });
  // The pod template of a Rollout: its CRD lets resource quantities through unchecked.
  const template: any = generator.createSchema('PodTemplateSpec');
  for (const name of ['IntOrString', 'Quantity']) template.definitions[name] = { type: ['string', 'integer'] };
  renameToJson(template.definitions, names);
  writeJson(path.join(schemasDir, 'v1_PodTemplateSpec.json'), template);

  for (const [apiVersion, kind, propsType] of CORE_KINDS) {
    const props: any = generator.createSchema(propsType);
    const definitions = props.definitions ?? {};
    delete props.definitions;
    // IntOrString and Quantity are value classes in TypeScript; on the wire they are a string or an integer.
    for (const name of ['IntOrString', 'Quantity']) {
      if (definitions[name]) definitions[name] = { type: ['string', 'integer'] };
    }
    renameToJson(definitions, names);
    writeJson(path.join(schemasDir, schemaFileName(apiVersion, kind)), {
      ...props,
      properties: {
        apiVersion: { const: apiVersion },
        kind: { const: kind },
        ...props.properties,
      },
      required: ['apiVersion', 'kind', ...(props.required ?? [])],
      definitions,
    });
  }
}

/**
 * The controller's release manifests, copied unchanged: `RolloutsController` reads them offline and
 * its notification catalogue comes from them.
 */
function copyReleaseManifests() {
  const dir = path.join(importsDir, 'argo-rollouts');
  fs.mkdirSync(dir, { recursive: true });
  for (const file of ['install.yaml', 'notifications-install.yaml']) {
    fs.copyFileSync(path.join(crdsDir, 'argo-rollouts', file), path.join(dir, file));
  }
}

fs.rmSync(importsDir, { recursive: true, force: true });
fs.mkdirSync(schemasDir, { recursive: true });
importCrds();
coreSchemas();
copyReleaseManifests();
