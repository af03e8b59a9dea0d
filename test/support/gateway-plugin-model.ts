import * as fs from 'fs';
import * as path from 'path';

/*
 * A MODEL of what the Gateway API traffic router plugin leaves on an HTTPRoute mid-release, written
 * from its source at tag v0.15.0 (github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi,
 * `GatewayApiPlugin.DEFAULT_VERSION`). It is not the plugin: the Go module proxy refuses that module,
 * so it cannot run here. Each step names the function it follows.
 */

/** The plugin tag this model (and `gatewayApiFields`) was read from. */
export const MODELLED_PLUGIN_VERSION = 'v0.15.0';

const SCHEMAS_DIR = path.join(__dirname, '..', '..', 'imports', 'schemas');

/**
 * The API server's defaulting of a custom resource from its structural schema (the pinned CRD's
 * `default`s, as apiextensions-apiserver applies them on create and update): an absent property
 * with a default gets it, then every present property, array item and map value is defaulted.
 */
export function crdDefaulted(obj: any): any {
  const file = path.join(SCHEMAS_DIR, `${obj.apiVersion.replace('/', '_')}_${obj.kind}.json`);
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  const copy = JSON.parse(JSON.stringify(obj));
  defaults(copy, schema);
  return copy;
}

function defaults(value: any, schema: any): void {
  if (Array.isArray(value)) {
    if (schema?.items) for (const item of value) defaults(item, schema.items);
    return;
  }
  if (value === null || typeof value !== 'object' || !schema) return;
  for (const [key, prop] of Object.entries<any>(schema.properties ?? {})) {
    if (!(key in value) && prop.default !== undefined) value[key] = JSON.parse(JSON.stringify(prop.default));
    if (key in value) defaults(value[key], prop);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const key of Object.keys(value)) if (!(key in (schema.properties ?? {}))) defaults(value[key], schema.additionalProperties);
  }
}

/** A `setHeaderRoute` step as the controller passes it to the plugin. */
export interface HeaderRouteStep {
  readonly name: string;
  readonly match: Array<{ headerName: string; headerValue: { exact?: string; prefix?: string; regex?: string } }>;
}

/** A weighted experiment template's Service, as the controller passes it to SetWeight (`additionalDestinations`). */
export interface ExperimentDestination {
  readonly serviceName: string;
  readonly weight: number;
  readonly port: number;
}

/**
 * The live HTTPRoute after the plugin's SetWeight(`weight`, with `experiment`'s running templates)
 * and, if given, SetHeaderRoute(`header`),
 * starting from the route as Argo CD applied it (defaulted by the API server), for the rollout's
 * final JSON. The API server defaults the result again (the plugin writes with Update).
 */
export function pluginLiveHttpRoute(applied: any, rollout: any, weight: number, header?: HeaderRouteStep, experiment?: ExperimentDestination[]): any {
  const canaryName: string = rollout.spec.strategy.canary.canaryService;
  const stableName: string = rollout.spec.strategy.canary.stableService;
  const managedNames: string[] = (rollout.spec.strategy.canary.trafficRouting?.managedRoutes ?? []).map((r: any) => r.name);
  const route = crdDefaulted(applied);
  const rules: any[] = route.spec.rules ?? [];

  // plugin.go isManagedRuleName; httproute.go isHTTPManagedRule (canaryHeaders nil).
  const isManaged = (rule: any, names: string[]) => (typeof rule.name === 'string' && names.some((n) => rule.name === n || (rule.name.startsWith(`${n}-`) && /^[+-]?[0-9]+$/.test(rule.name.slice(n.length + 1)))))
    || ((rule.backendRefs ?? []).length === 1 && rule.backendRefs[0].name === canaryName);

  // httproute.go setHTTPRouteWeight: stable and canary backendRefs of every unmanaged rule.
  for (const rule of rules) {
    if (isManaged(rule, managedNames)) continue;
    for (const ref of rule.backendRefs ?? []) {
      if (ref.name === canaryName) ref.weight = weight;
      else if (ref.name === stableName) ref.weight = 100 - weight;
    }
  }
  // experiment.go HandleExperiment: in the first rule holding the stable or canary Service, the
  // stable weight becomes 100 minus the experiments' and each template's Service is appended.
  const first = rules.find((r) => (r.backendRefs ?? []).some((b: any) => b.name === stableName || b.name === canaryName));
  if (experiment?.length && first) {
    const total = Math.min(100, experiment.reduce((sum, d) => sum + d.weight, 0));
    for (const ref of first.backendRefs) if (ref.name === stableName) ref.weight = 100 - total;
    for (const d of experiment) {
      if (!first.backendRefs.some((b: any) => b.name === d.serviceName)) {
        first.backendRefs.push({ name: d.serviceName, namespace: rollout.metadata.namespace, port: d.port, weight: d.weight });
      }
    }
  }
  // labels.go ensureInProgressLabel (defaults.InProgressLabelKey / InProgressLabelValue).
  if (weight > 0) route.metadata.labels = { ...route.metadata.labels, 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' };

  if (header) {
    // httproute.go getHTTPHeaderRouteRuleList: exact is Exact, prefix and regex are RegularExpression.
    const headers = header.match.map((m) => m.headerValue.exact !== undefined
      ? { name: m.headerName, type: 'Exact', value: m.headerValue.exact }
      : { name: m.headerName, type: 'RegularExpression', value: m.headerValue.prefix !== undefined ? `${m.headerValue.prefix}.*` : m.headerValue.regex });
    // httproute.go setHTTPHeaderRoute: one rule per rule holding both Services (getAllRouteRules),
    // named <name>, <name>-1, ...; its one backendRef the canary Service on the rule's canary port.
    const sources = rules.filter((r) => [canaryName, stableName].every((s) => (r.backendRefs ?? []).some((b: any) => b.name === s)));
    const added = sources.map((source, index) => {
      const canaryRef = source.backendRefs.find((b: any) => b.name === canaryName);
      return {
        name: index === 0 ? header.name : `${header.name}-${index}`,
        matches: (source.matches ?? []).length === 0
          ? [{ headers }]
          : source.matches.map((m: any) => ({
            path: m.path, headers: [...(m.headers ?? []), ...headers], queryParams: m.queryParams, method: m.method,
          })),
        filters: (source.filters ?? []).length ? source.filters.map((f: any) => JSON.parse(JSON.stringify(f))) : undefined,
        backendRefs: [{ group: '', kind: 'Service', name: canaryName, port: canaryRef.port }],
      };
    });
    // The upsert: rules of this name, and canary-only rules matching these header names, replaced; new ones appended.
    const withHeaders = (r: any) => (r.backendRefs ?? []).length === 1 && r.backendRefs[0].name === canaryName
      && (r.matches ?? []).some((m: any) => headers.every((h) => (m.headers ?? []).some((mh: any) => mh.name === h.name)));
    const named = (r: any) => typeof r.name === 'string' && (r.name === header.name || (r.name.startsWith(`${header.name}-`) && /^[+-]?[0-9]+$/.test(r.name.slice(header.name.length + 1))));
    route.spec.rules = [...rules.filter((r) => !named(r) && !withHeaders(r)), ...JSON.parse(JSON.stringify(added))];
  }
  return crdDefaulted(route);
}
