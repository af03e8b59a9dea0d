/**
 * The fields the Argo Rollouts controller (v1.9.1) and the Gateway API plugin write on objects that
 * Argo CD also syncs, as Argo CD `ignoreDifferences` entries. Computed from the final JSON of the
 * synthesised objects (JSON patches included): the Rollouts say which Services, VirtualServices,
 * DestinationRules, Gateway API routes and Deployments the controller touches.
 */

/** One `spec.ignoreDifferences` entry of an Argo CD Application. */
export interface ArgoCdIgnoreDifference {
  /**
   * API group of the objects (empty for the core group).
   * @default - the core group
   */
  readonly group?: string;
  /** Kind of the objects. */
  readonly kind: string;
  /**
   * Name of the object.
   * @default - every object of the kind
   */
  readonly name?: string;
  /**
   * Namespace of the object.
   * @default - every namespace
   */
  readonly namespace?: string;
  /**
   * RFC 6901 JSON pointers of the ignored fields.
   * @default - none
   */
  readonly jsonPointers?: string[];
  /**
   * jq path expressions of the ignored fields (Argo CD runs `del(<expression>)` on both sides).
   * @default - none
   */
  readonly jqPathExpressions?: string[];
  /**
   * Field managers whose fields are ignored (read from `metadata.managedFields`).
   * @default - none
   */
  readonly managedFieldsManagers?: string[];
}

/** `ingressutil.ManagedAnnotations`: where the controller lists, per rollout, the ALB annotations it manages. */
const ALB_MANAGED_ANNOTATIONS = 'rollouts.argoproj.io/managed-alb-annotations';
/** The path `ingressutil.CreateAnnotationBasedPath` adds for a header route. */
const ALB_HEADER_PATH = '/*';

/** The Gateway API plugin's name in `trafficRouting.plugins`. */
const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';
/** `v1alpha1.DefaultRolloutUniqueLabelKey`. */
const HASH_LABEL = 'rollouts-pod-template-hash';
/** `v1alpha1.ManagedByRolloutsKey`. */
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/** JSON pointer escaping (RFC 6901). */
function pointer(...segments: string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** A jq string literal. */
function jqString(value: string): string {
  return JSON.stringify(value);
}

interface Entry {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly pointers: Set<string>;
  readonly jq: Set<string>;
}

class Collector {
  private readonly entries = new Map<string, Entry>();

  public add(group: string, kind: string, namespace: string | undefined, name: string, fields: { pointers?: string[]; jq?: string[] }) {
    const key = JSON.stringify([group, kind, namespace ?? '', name]);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { group, kind, name, namespace, pointers: new Set(), jq: new Set() };
      this.entries.set(key, entry);
    }
    for (const p of fields.pointers ?? []) entry.pointers.add(p);
    for (const q of fields.jq ?? []) entry.jq.add(q);
  }

  public result(): ArgoCdIgnoreDifference[] {
    return [...this.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => ({
      group: e.group || undefined,
      kind: e.kind,
      name: e.name,
      namespace: e.namespace,
      jsonPointers: e.pointers.size ? [...e.pointers] : undefined,
      jqPathExpressions: e.jq.size ? [...e.jq] : undefined,
    }));
  }
}

/** `name` or `name.namespace` (the controller's short form for VirtualServices). */
function nameAndNamespace(ref: string, namespace: string | undefined): [string, string | undefined] {
  const [name, ns] = ref.split('.');
  return [name, ns ?? namespace];
}

/** The route kinds the plugin routes, with their keys in its config (`pkg/plugin/types.go`, `GatewayAPITrafficRouting`). */
const GATEWAY_ROUTE_KINDS = [
  { kind: 'HTTPRoute', single: 'httpRoute', list: 'httpRoutes', selector: 'httpRouteSelector', headerRoutes: true, experiments: true },
  { kind: 'GRPCRoute', single: 'grpcRoute', list: 'grpcRoutes', selector: 'grpcRouteSelector', headerRoutes: true, experiments: false },
  { kind: 'TCPRoute', single: 'tcpRoute', list: 'tcpRoutes', selector: 'tcpRouteSelector', headerRoutes: false, experiments: false },
  { kind: 'TLSRoute', single: 'tlsRoute', list: 'tlsRoutes', selector: 'tlsRouteSelector', headerRoutes: false, experiments: false },
];
/** `defaults.InProgressLabelKey` of the plugin (`internal/defaults/defaults.go`). */
const GATEWAY_IN_PROGRESS_LABEL = 'rollouts.argoproj.io/gatewayapi-canary';

/** A regular expression matching `value` literally. */
function regexLiteral(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Whether a Kubernetes label selector (`matchLabels`, `matchExpressions`) selects `labels`. */
function selects(selector: any, labels: { [key: string]: string }): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * What the Gateway API plugin (`argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi`, tag
 * v0.15.0 = `GatewayApiPlugin.DEFAULT_VERSION`; read from its source, not run: the Go module proxy
 * refuses the module) writes on the routes of one canary:
 *
 * - Routes: `httpRoute` / `grpcRoute` / `tcpRoute` / `tlsRoute` (header routes on), the
 *   `httpRoutes` / ... lists (header routes per `useHeaderRoutes`, default off), and the routes of
 *   the synthesised objects that `httpRouteSelector` / ... select in the plugin's namespace (header
 *   routes off), all in `namespace`, default the rollout's (`pkg/plugin/plugin.go`:
 *   `getGatewayAPITrafficRoutingConfig`, `insertGatewayAPIRouteLists`, `discoverRoutesBySelector`).
 * - SetWeight: the `weight` of every backendRef named after the stable or the canary Service
 *   (`httproute.go` `setHTTPRouteWeight`, `grpcroute.go` `setGRPCRouteWeight`, which skip the
 *   rules below; `tcproute.go` `setTCPRouteWeight`, `tlsroute.go` `setTLSRouteWeight`: every rule),
 *   and the label `rollouts.argoproj.io/gatewayapi-canary: in-progress` while the weight is above 0
 *   (`labels.go` `ensureInProgressLabel`; `disableInProgressLabel`, `inProgressLabelKey`). Argo CD's
 *   three-way diff does not report that label; it is listed because the plugin writes it (a
 *   `Replace=true` sync would drop it).
 * - SetHeaderRoute (HTTP and gRPC routes with header routes on): appends, per rule holding both
 *   Services, a rule named after the step's managed route (`<name>`, then `<name>-1`, ...) whose one
 *   backendRef is the canary Service (copies of the rule's filters and matches, with the headers
 *   added); RemoveManagedRoutes (which the controller calls at every promotion, abort and on a new
 *   canary with no pods) deletes the rules so named and every rule whose only backendRef is the
 *   canary Service (`setHTTPHeaderRoute`, `removeHTTPManagedRoutes`, `isManagedRuleName`,
 *   `isHTTPManagedRule`; the gRPC twins). SetMirrorRoute writes nothing.
 * - Experiments (HTTP routes): the backendRef of each weighted template's Service
 *   (`<rollout>-<hash>-<revision>-<step>-<template>` or `service.name`: the controller's
 *   `rollout/experiment.go` `GetExperimentFromTemplate`, `experiments/replicaset.go`), appended to
 *   the first rule of the stable or canary Service while the experiment runs (`experiment.go`
 *   `HandleExperiment`).
 *
 * It creates no object: since v0.13.0 no managed-routes ConfigMap either.
 */
function gatewayApiFields(out: Collector, rollout: any, config: any, managed: string[], objects: any[]): void {
  const namespace: string | undefined = config.namespace || rollout.metadata?.namespace;
  const canary = rollout.spec.strategy.canary;
  const services = [canary.stableService, canary.canaryService].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const isService = services.map((s) => `.name == ${jqString(s)}`).join(' or ');
  const labelKey: string = config.inProgressLabelKey || GATEWAY_IN_PROGRESS_LABEL;
  const pointers = config.disableInProgressLabel ? [] : [pointer('metadata', 'labels', labelKey)];
  const managedRule = managed.map((m) => {
    const prefix = jqString(`${m}-`);
    return `.name == ${jqString(m)} or ((.name // "") | startswith(${prefix}) and (ltrimstr(${prefix}) | test("^[+-]?[0-9]+$")))`;
  });
  const experimentServices: string[] = [];
  (canary.steps ?? []).forEach((step: any, index: number) => {
    for (const t of step?.experiment?.templates ?? []) {
      if (t.weight === undefined || t.weight === null) continue;
      experimentServices.push(t.service?.name
        ? `.name == ${jqString(t.service.name)}`
        : `(.name // "") | test(${jqString(`^${regexLiteral(rollout.metadata?.name ?? '')}-[a-z0-9]+-[0-9]*-${index}-${regexLiteral(t.name ?? '')}$`)})`);
    }
  });
  for (const k of GATEWAY_ROUTE_KINDS) {
    const routes = new Map<string, boolean>();
    const addRoute = (name: unknown, headerRoutes: boolean) => {
      if (typeof name === 'string' && name.length > 0) routes.set(name, (routes.get(name) ?? false) || headerRoutes);
    };
    for (const r of config[k.list] ?? []) addRoute(r?.name, r?.useHeaderRoutes === true);
    addRoute(config[k.single], true);
    if (config[k.selector]) {
      for (const o of objects.filter((x) => x?.kind === k.kind && (x.metadata?.namespace ?? rollout.metadata?.namespace) === namespace)) {
        if (selects(config[k.selector], o.metadata?.labels ?? {})) addRoute(o.metadata?.name, false);
      }
    }
    for (const [name, headerRoutes] of routes) {
      const jq = services.length ? [`.spec.rules[]?.backendRefs[]? | select(${isService}) | .weight`] : [];
      if (k.headerRoutes && headerRoutes && canary.canaryService) {
        const canaryOnly = `((.backendRefs // []) | length == 1 and .[0].name == ${jqString(canary.canaryService)})`;
        jq.push(`.spec.rules[]? | select(${[...managedRule, canaryOnly].join(' or ')})`);
      }
      if (k.experiments) for (const e of experimentServices) jq.push(`.spec.rules[]?.backendRefs[]? | select(${e})`);
      if (jq.length || pointers.length) out.add('gateway.networking.k8s.io', k.kind, namespace, name, { jq, pointers });
    }
  }
}

/**
 * The `ignoreDifferences` for the fields the controller writes on the given objects (final JSON):
 *
 * - Services of a canary (`stableService`, `canaryService`, `pingPong` services) and of a
 *   blue-green (`activeService`, `previewService`): `spec.selector["rollouts-pod-template-hash"]`
 *   and the `argo-rollouts.argoproj.io/managed-by-rollouts` annotation (`rollout/service.go`,
 *   `switchSelectorAndAddManagedByPatch`).
 * - Istio VirtualService: the `weight` of every destination of the shifted HTTP routes (by name),
 *   TLS routes (port and SNI hosts) and TCP routes (port); the HTTP routes it inserts for
 *   `setHeaderRoute` / `setMirrorRoute` steps, named after `managedRoutes`
 *   (`rollout/trafficrouting/istio/istio.go`: `generateVirtualServicePatches`,
 *   `reconcileVirtualServiceHeaderRoutes`, `reconcileVirtualServiceMirrorRoutes`).
 * - Istio DestinationRule: each subset's `rollouts-pod-template-hash` label and the managed-by
 *   annotation (`istio.go`, `UpdateHash`).
 * - Gateway API HTTPRoute, GRPCRoute, TCPRoute, TLSRoute (the plugin's routes, see
 *   `gatewayApiFields`): the `weight` of the stable and canary backendRefs (not of other backends),
 *   the plugin's in-progress label, on HTTP and gRPC routes with header routes the rules it adds
 *   and removes, on HTTP routes the backendRefs of weighted experiment templates. Derived from the
 *   plugin's source (v0.15.0), not run.
 * - A Deployment a Rollout takes over through `workloadRef` with `scaleDown` `onsuccess` or
 *   `progressively`: `spec.replicas`, which the controller scales to 0 (`rollout/scale_utils.go`).
 *
 * - AWS ALB: on every Ingress of `trafficRouting.alb`, the action annotation
 *   `<prefix>/actions.<rootService or stableService>` (the weighted forward, `getDesiredAnnotations`),
 *   for each managed route its `<prefix>/actions.<route>` and `<prefix>/conditions.<route>`
 *   (`getDesiredHeaderAnnotations`), `rollouts.argoproj.io/managed-alb-annotations`
 *   (`modifyManagedAnnotation`) (`rollout/trafficrouting/alb/alb.go`, keys from
 *   `utils/ingress/ingress.go`), and the path a header route adds to every rule (`/*` to the route's
 *   name, port `use-annotation`: `SetHeaderRoutePerIngress` merge-patches the whole `spec.rules`,
 *   `CreateAnnotationBasedPath` in `utils/ingress/wrapper.go`). The older
 *   `rollouts.argoproj.io/managed-alb-actions` is only ever deleted by v1.9.1 (`ingress/alb.go`).
 *   Argo CD's three-way diff already leaves annotation keys the manifest never had alone; the path
 *   is what it reports without these entries.
 *
 * ingress-nginx: the controller only creates the canary Ingress `<rollout>-<stable ingress>-canary`
 * (owned by the Rollout, with no label and none of the stable Ingress' annotations but
 * `kubernetes.io/ingress.class`, so without Argo CD's tracking label or annotation:
 * `rollout/trafficrouting/nginx/nginx.go`, `buildCanaryIngress`); Argo CD shows it as a child of
 * the Rollout and never prunes it. The stable Ingress is not written to.
 */
export function controllerOwnedFields(objects: any[]): ArgoCdIgnoreDifference[] {
  const out = new Collector();
  const deployments = new Set(objects.filter((o) => o?.kind === 'Deployment').map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
  for (const rollout of objects) {
    if (rollout?.kind !== 'Rollout' || !String(rollout.apiVersion ?? '').startsWith('argoproj.io/')) continue;
    const namespace: string | undefined = rollout.metadata?.namespace;
    const spec = rollout.spec ?? {};
    const services: string[] = [];
    const canary = spec.strategy?.canary;
    const blueGreen = spec.strategy?.blueGreen;
    if (canary) {
      services.push(canary.stableService, canary.canaryService, canary.pingPong?.pingService, canary.pingPong?.pongService);
    }
    if (blueGreen) services.push(blueGreen.activeService, blueGreen.previewService);
    for (const service of services.filter((s): s is string => typeof s === 'string' && s.length > 0)) {
      out.add('', 'Service', namespace, service, { pointers: [pointer('spec', 'selector', HASH_LABEL), pointer('metadata', 'annotations', MANAGED_BY)] });
    }

    const routing = canary?.trafficRouting ?? {};
    const managed: string[] = (routing.managedRoutes ?? []).map((r: any) => r.name);
    const istio = routing.istio;
    if (istio) {
      const refs: any[] = istio.virtualService ? [istio.virtualService] : istio.virtualServices ?? [];
      for (const ref of refs) {
        const [name, ns] = nameAndNamespace(String(ref.name), namespace);
        const jq: string[] = [];
        const routes: string[] = ref.routes ?? [];
        if (routes.length === 0) {
          jq.push('.spec.http[0]?.route[]?.weight');
        } else {
          for (const route of routes) jq.push(`.spec.http[]? | select(.name == ${jqString(route)}) | .route[]?.weight`);
        }
        for (const tls of ref.tlsRoutes ?? []) {
          const sni = JSON.stringify([...(tls.sniHosts ?? [])].sort());
          jq.push(`.spec.tls[]? | select(any(.match[]?; (.port // 0) == ${tls.port ?? 0} and ((.sniHosts // []) | sort) == ${sni})) | .route[]?.weight`);
        }
        for (const tcp of ref.tcpRoutes ?? []) {
          jq.push(`.spec.tcp[]? | select(any(.match[]?; (.port // 0) == ${tcp.port ?? 0})) | .route[]?.weight`);
        }
        for (const route of managed) jq.push(`.spec.http[]? | select(.name == ${jqString(route)})`);
        out.add('networking.istio.io', 'VirtualService', ns, name, { jq });
      }
      if (istio.destinationRule?.name) {
        out.add('networking.istio.io', 'DestinationRule', namespace, istio.destinationRule.name, {
          jq: [`.spec.subsets[]?.labels[${jqString(HASH_LABEL)}]`],
          pointers: [pointer('metadata', 'annotations', MANAGED_BY)],
        });
      }
    }

    const alb = routing.alb;
    if (alb) {
      const prefix: string = alb.annotationPrefix || 'alb.ingress.kubernetes.io';
      const annotation = (key: string) => pointer('metadata', 'annotations', key);
      const pointers = [
        annotation(`${prefix}/actions.${alb.rootService || canary.stableService}`),
        ...managed.flatMap((route) => [annotation(`${prefix}/actions.${route}`), annotation(`${prefix}/conditions.${route}`)]),
        annotation(ALB_MANAGED_ANNOTATIONS),
      ];
      const jq = managed.map((route) => `.spec.rules[]?.http.paths[]? | select(.path == ${jqString(ALB_HEADER_PATH)} and .backend.service.name == ${jqString(route)} and .backend.service.port.name == "use-annotation")`);
      for (const ingress of alb.ingress ? [alb.ingress] : alb.ingresses ?? []) {
        out.add('networking.k8s.io', 'Ingress', namespace, ingress, { pointers, jq });
      }
    }

    const gateway = routing.plugins?.[GATEWAY_API_PLUGIN];
    if (gateway && canary) gatewayApiFields(out, rollout, gateway, managed, objects);

    const ref = spec.workloadRef;
    if (ref?.kind === 'Deployment' && ['onsuccess', 'progressively'].includes(ref.scaleDown) && deployments.has(`${namespace ?? ''}/${ref.name}`)) {
      out.add('apps', 'Deployment', namespace, ref.name, { pointers: ['/spec/replicas'] });
    }
  }
  return out.result();
}
