import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AlbTrafficSplit, AnalysisCheck, AntiAffinity, BlueGreenRollout, CanaryRollout, CanaryStep, ExperimentSpecRef, GatewayApiTrafficSplit, HttpHeader,
  HttpMethod, IAnalysisTemplate, IstioSplitLevel, IstioTrafficSplit, ITrafficSplit, NginxTrafficSplit, NotificationTarget, ProgressiveApp,
  PrometheusAnalysis, RolloutNotifications, RolloutNotificationTrigger, StringMatch, WebAnalysis, WebCheck,
} from '../../src';
import { isGoYamlHazard } from '../../src/synth/go-yaml';

/*
 * The valid profile of the differential fuzz: apps that follow every rule of the controller and the
 * API server the generator knows (reference/argo-rollouts-validation-rules.md), over the whole typed
 * API: experiments and baseline-vs-canary steps, ALB splits (stickiness, ping-pong), web analysis
 * (HTTP and Job checks), notifications, and the strategy, pod and analysis options. The library must
 * accept each of them; a few carry one fault whose refusal mirrors a controller rule (`validFaults`).
 */

export type ValidRouter = 'none' | 'nginx' | 'istio-host' | 'istio-subset' | 'gateway' | 'alb';
export type ValidStep =
  | { kind: 'weight'; weight: number }
  | { kind: 'pause'; seconds: number }
  | { kind: 'pauseUntilPromoted' }
  | { kind: 'analysis'; web: boolean }
  | { kind: 'headerRoute'; name: string; value: string; regex: boolean }
  | { kind: 'removeHeaderRoute'; name: string }
  | { kind: 'mirrorRoute'; name: string; percentage?: number }
  | { kind: 'removeMirrorRoute'; name: string }
  | { kind: 'canaryScaleReplicas'; replicas: number }
  | { kind: 'canaryScaleWeight'; weight: number }
  | { kind: 'matchTrafficWeight' }
  | { kind: 'experiment'; templates: Array<{ stable: boolean; replicas?: number; weight?: number; service: boolean }>; minutes?: number; analysis: boolean; scaleDownSeconds?: number }
  | { kind: 'baselineVsCanary'; minutes: number; replicas?: number; weight?: number };

export interface ValidWeb {
  readonly path: string;
  readonly post: boolean;
  readonly jsonPath: boolean;
  readonly header: boolean;
  readonly timeoutSeconds?: number;
  readonly job: boolean;
  readonly count: number;
}

export interface ValidSpec {
  readonly profile: 'valid';
  readonly name: string;
  readonly namespace?: string;
  readonly strategy: 'canary' | 'blueGreen';
  readonly router: ValidRouter;
  readonly replicas?: number;
  readonly port: number;
  readonly steps: ValidStep[];
  readonly checks: Array<'successRate' | 'errorRate' | 'latency' | 'podRestarts' | 'cpu' | 'memory' | 'readiness'>;
  readonly count: number;
  readonly intervalSeconds: number;
  readonly failuresToAbort?: number;
  readonly web?: ValidWeb;
  readonly background: boolean;
  readonly minReadySeconds?: number;
  readonly progressDeadlineSeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly canaryLabels: boolean;
  readonly antiAffinity?: number;
  readonly scaleDownDelaySeconds?: number;
  readonly abortScaleDownDelaySeconds?: number;
  readonly dynamicStableScale: boolean;
  readonly minPodsPerReplicaSet?: number;
  readonly alb: { host: boolean; stickinessSeconds?: number; pingPong: boolean };
  readonly autoPromotion: boolean;
  readonly autoPromotionDelaySeconds?: number;
  readonly previewReplicas?: number;
  readonly scaleDownDelayRevisionLimit?: number;
  readonly previewIngress: boolean;
  readonly notifications?: { triggers: number[]; slack?: string; webhook?: string; event: boolean };
}

const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
const routeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
/**
 * Header values, some of them strings go-yaml reads as another type when plain: the writer must quote
 * them (those cdk8s's writer leaves plain, such as `0o17`, the library refuses by design).
 */
const headerValue = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/).filter((v) => !isGoYamlHazard(v)) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'yes', '1e3', '~', 'null', 'No') },
);
const supportsWeights = (r: ValidRouter) => ['istio-host', 'istio-subset', 'gateway', 'alb'].includes(r);
const supportsHeaders = supportsWeights;

const stepFor = (router: ValidRouter): fc.Arbitrary<ValidStep> => {
  const routed = router !== 'none';
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<ValidStep> }> = [
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 100 }).map((weight) => ({ kind: 'weight' as const, weight })) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 3600 }).map((seconds) => ({ kind: 'pause' as const, seconds })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'pauseUntilPromoted' as const }) },
    { weight: 2, arbitrary: fc.boolean().map((web) => ({ kind: 'analysis' as const, web })) },
    {
      weight: 2,
      arbitrary: fc.record({
        templates: fc.array(fc.record({
          stable: fc.boolean(),
          replicas: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
          weight: supportsWeights(router) ? fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }) : fc.constant(undefined),
          service: fc.boolean(),
        }, { requiredKeys: ['stable', 'service'] }), { minLength: 1, maxLength: 2 }),
        minutes: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        analysis: fc.boolean(),
        scaleDownSeconds: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
      }, { requiredKeys: ['templates', 'analysis'] }).map((e) => ({ kind: 'experiment' as const, ...e })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        minutes: fc.integer({ min: 1, max: 30 }),
        replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
        weight: supportsWeights(router) ? fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }) : fc.constant(undefined),
      }, { requiredKeys: ['minutes'] }).map((b) => ({ kind: 'baselineVsCanary' as const, ...b })),
    },
  ];
  if (routed) {
    options.push(
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 }).map((replicas) => ({ kind: 'canaryScaleReplicas' as const, replicas })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((weight) => ({ kind: 'canaryScaleWeight' as const, weight })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'matchTrafficWeight' as const }) },
    );
  }
  if (supportsHeaders(router)) {
    options.push({ weight: 2, arbitrary: fc.record({ name: routeName, value: headerValue, regex: router === 'alb' ? fc.constant(false) : fc.boolean() }).map((r) => ({ kind: 'headerRoute' as const, ...r })) });
  }
  if (router === 'istio-host' || router === 'istio-subset') {
    options.push({ weight: 2, arbitrary: fc.record({ name: routeName, percentage: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }) }).map((r) => ({ kind: 'mirrorRoute' as const, ...r })) });
  }
  return fc.oneof(...options);
};

/** ALB header routes match exact values only (rule 29). Route steps get unique names (two routes of one name are one managed route); each may be removed later. */
function withRouteRemovals(steps: ValidStep[], remove: boolean[]): ValidStep[] {
  const out: ValidStep[] = [];
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    if (s.kind !== 'headerRoute' && s.kind !== 'mirrorRoute') return out.push(s);
    const name = seen.has(s.name) ? `${s.name}-${i}` : s.name;
    seen.add(name);
    out.push({ ...s, name });
    if (remove[i]) out.push(s.kind === 'headerRoute' ? { kind: 'removeHeaderRoute', name } : { kind: 'removeMirrorRoute', name });
    return undefined;
  });
  return out;
}

const web: fc.Arbitrary<ValidWeb> = fc.record({
  path: fc.constantFrom('/', '/healthz', '/api/v1/status', '/ready'),
  post: fc.boolean(),
  jsonPath: fc.boolean(),
  header: fc.boolean(),
  timeoutSeconds: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  job: fc.boolean(),
  count: fc.integer({ min: 1, max: 5 }),
}, { requiredKeys: ['path', 'post', 'jsonPath', 'header', 'job', 'count'] });

const specFor = (router: ValidRouter): fc.Arbitrary<ValidSpec> => fc.record({
  profile: fc.constant('valid' as const),
  name: dnsName,
  // The Gateway API plugin needs the rollout's namespace.
  namespace: router === 'gateway' ? dnsName : fc.option(dnsName, { nil: undefined }),
  strategy: fc.constantFrom('canary' as const, 'canary' as const, 'canary' as const, 'blueGreen' as const),
  router: fc.constant(router),
  replicas: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  port: fc.integer({ min: 1, max: 65535 }),
  steps: fc.tuple(fc.array(stepFor(router), { maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }))
    .map(([s, r]) => withRouteRemovals(s, r)),
  checks: fc.uniqueArray(fc.constantFrom('successRate' as const, 'errorRate' as const, 'latency' as const, 'podRestarts' as const, 'cpu' as const, 'memory' as const, 'readiness' as const), { minLength: 1, maxLength: 3 }),
  count: fc.integer({ min: 1, max: 10 }),
  intervalSeconds: fc.constantFrom(30, 60, 120),
  failuresToAbort: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  web: fc.option(web, { nil: undefined }),
  background: fc.boolean(),
  minReadySeconds: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
  progressDeadlineSeconds: fc.option(fc.integer({ min: 121, max: 1800 }), { nil: undefined }),
  revisionHistoryLimit: fc.option(fc.integer({ min: 3, max: 10 }), { nil: undefined }),
  canaryLabels: fc.boolean(),
  antiAffinity: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  scaleDownDelaySeconds: router !== 'none' ? fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }) : fc.constant(undefined),
  abortScaleDownDelaySeconds: router !== 'none' ? fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }) : fc.constant(undefined),
  dynamicStableScale: router !== 'none' ? fc.boolean() : fc.constant(false),
  minPodsPerReplicaSet: router !== 'none' ? fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) : fc.constant(undefined),
  alb: fc.record({ host: fc.boolean(), stickinessSeconds: fc.option(fc.integer({ min: 1, max: 604800 }), { nil: undefined }), pingPong: fc.boolean() }, { requiredKeys: ['host', 'pingPong'] }),
  autoPromotion: fc.boolean(),
  autoPromotionDelaySeconds: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
  previewReplicas: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  scaleDownDelayRevisionLimit: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  previewIngress: fc.boolean(),
  notifications: fc.option(fc.record({
    triggers: fc.uniqueArray(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 3 }),
    slack: fc.option(fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/), { nil: undefined }),
    webhook: fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}[a-z0-9]$/), { nil: undefined }),
    event: fc.boolean(),
  }, { requiredKeys: ['triggers', 'event'] }), { nil: undefined }),
}, { requiredKeys: ['profile', 'name', 'namespace', 'strategy', 'router', 'port', 'steps', 'checks', 'count', 'intervalSeconds', 'background', 'canaryLabels', 'dynamicStableScale', 'alb', 'autoPromotion', 'previewIngress'] })
  // dynamicStableScale is not with scaleDownDelay (rule 22).
  .map((s) => (s.dynamicStableScale && s.scaleDownDelaySeconds !== undefined ? { ...s, scaleDownDelaySeconds: undefined } : s));

const ROUTER_WEIGHTS = { 'none': 2, 'nginx': 2, 'istio-host': 2, 'istio-subset': 2, 'gateway': 1, 'alb': 4 };

/** One arbitrary per router, built once (building arbitraries per sample, as `chain` does, is slow); Gateway API apps (the slowest to judge: CEL) less often. */
export const validSpec: fc.Arbitrary<ValidSpec> = fc.oneof(
  ...(['none', 'nginx', 'istio-host', 'istio-subset', 'gateway', 'alb'] as const).map((router) => ({ weight: ROUTER_WEIGHTS[router], arbitrary: specFor(router) })),
);

const TRIGGERS = [
  RolloutNotificationTrigger.ROLLOUT_COMPLETED, RolloutNotificationTrigger.ROLLOUT_STEP_COMPLETED, RolloutNotificationTrigger.ROLLOUT_UPDATED,
  RolloutNotificationTrigger.SCALING_REPLICA_SET, RolloutNotificationTrigger.ROLLOUT_ABORTED, RolloutNotificationTrigger.ROLLOUT_PAUSED,
  RolloutNotificationTrigger.ANALYSIS_RUN_RUNNING, RolloutNotificationTrigger.ANALYSIS_RUN_ERROR, RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
];

function check(kind: ValidSpec['checks'][number]): AnalysisCheck {
  switch (kind) {
    case 'successRate': return AnalysisCheck.successRate({ atLeast: 0.95 });
    case 'errorRate': return AnalysisCheck.errorRate({ below: 0.05 });
    case 'latency': return AnalysisCheck.latency({ percentile: 95, below: Duration.millis(500) });
    case 'podRestarts': return AnalysisCheck.podRestarts({ atMost: 1 });
    case 'cpu': return AnalysisCheck.cpu({ atMost: 0.8 });
    case 'memory': return AnalysisCheck.memory({ atMost: 0.9 });
    case 'readiness': return AnalysisCheck.readiness();
  }
}

function trafficSplit(chart: Chart, s: ValidSpec): ITrafficSplit | undefined {
  const host = `${s.name}.example.com`;
  switch (s.router) {
    case 'nginx': return new NginxTrafficSplit(chart, 'traffic', { host, port: s.port });
    case 'istio-host': return new IstioTrafficSplit(chart, 'traffic', { hosts: [host], port: s.port });
    case 'istio-subset': return new IstioTrafficSplit(chart, 'traffic', { hosts: [host], level: IstioSplitLevel.SUBSET, port: s.port });
    case 'gateway': return new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gateway', namespace: 'gateway-system' }], hostnames: [host], port: s.port });
    case 'alb': return new AlbTrafficSplit(chart, 'traffic', {
      host: s.alb.host ? host : undefined,
      stickiness: s.alb.stickinessSeconds === undefined ? undefined : Duration.seconds(s.alb.stickinessSeconds),
      pingPong: s.alb.pingPong,
    });
    default: return undefined;
  }
}

/** Hooks a fault may use to change one value of a valid app. */
export interface ValidOverrides {
  readonly experimentWeight?: number;
  readonly antiAffinityWeight?: number;
  readonly scaleDownDelayRevisionLimit?: number;
}

/** Builds a valid-profile app through the public API and synthesises it into outdir. */
export function buildValid(s: ValidSpec, outdir: string, overrides: ValidOverrides = {}): void {
  const app = new ProgressiveApp({ outdir });
  const chart = new Chart(app, 'c', { namespace: s.namespace });
  // Created on first use: a template nothing in the app runs is refused.
  let promTemplate: PrometheusAnalysis | undefined;
  let smokeTemplate: WebAnalysis | undefined;
  const prom = () => promTemplate ??= new PrometheusAnalysis(chart, 'analysis', {
    metadata: { name: `${s.name}-checks` },
    address: 'http://prometheus.monitoring.svc.cluster.local:9090',
    checks: s.checks.map(check),
    count: s.count,
    interval: Duration.seconds(s.intervalSeconds),
    failuresToAbort: s.failuresToAbort === undefined ? undefined : Math.min(s.failuresToAbort, s.count),
  });
  const smoke = () => s.web && (smokeTemplate ??= new WebAnalysis(chart, 'smoke', {
    metadata: { name: `${s.name}-smoke` },
    checks: [
      WebCheck.http({
        path: s.web.path,
        method: s.web.post ? HttpMethod.POST : undefined,
        jsonBody: s.web.post ? { probe: 'fuzz' } : undefined,
        jsonPath: s.web.jsonPath ? '{$.status}' : undefined,
        headers: s.web.header ? [HttpHeader.of('X-Probe', 'fuzz')] : undefined,
        timeout: s.web.timeoutSeconds === undefined ? undefined : Duration.seconds(s.web.timeoutSeconds),
        successCondition: s.web.jsonPath ? 'result == "ok"' : undefined,
      }),
      ...(s.web.job ? [WebCheck.job({ name: 'smoke-job', image: 'registry.example.com/smoke:1.0.0', args: ['$(CANARY_URL)/healthz'] })] : []),
    ],
    count: s.web.count,
    interval: s.web.count > 1 ? Duration.seconds(30) : undefined,
  }));
  const needsCompare = s.strategy === 'canary' && s.steps.some((x) => x.kind === 'baselineVsCanary');
  const compare = needsCompare ? new PrometheusAnalysis(chart, 'compare', {
    metadata: { name: `${s.name}-compare` },
    address: 'http://prometheus.monitoring.svc.cluster.local:9090',
    checks: [AnalysisCheck.canaryVsStable({ percentile: 95, maxSlowdown: 0.2 })],
    count: 3,
    interval: Duration.minutes(1),
  }) : undefined;
  const stepAnalysis = (useWeb: boolean): IAnalysisTemplate => (useWeb ? smoke() ?? prom() : prom());
  const steps = s.strategy !== 'canary' ? [] : s.steps.map((x, i): CanaryStep => {
    switch (x.kind) {
      case 'weight': return CanaryStep.weight(x.weight);
      case 'pause': return CanaryStep.pause(Duration.seconds(x.seconds));
      case 'pauseUntilPromoted': return CanaryStep.pauseUntilPromoted();
      case 'analysis': return CanaryStep.analysis({ templates: [stepAnalysis(x.web)] });
      case 'headerRoute': return CanaryStep.headerRoute({ name: x.name, match: [{ name: 'x-canary', value: x.regex ? StringMatch.regex(`^${x.value.replace(/[^a-zA-Z0-9]/g, '')}.*`) : StringMatch.exact(x.value) }] });
      case 'removeHeaderRoute': return CanaryStep.removeHeaderRoute(x.name);
      case 'mirrorRoute': return CanaryStep.mirrorRoute({ name: x.name, percentage: x.percentage, match: [{ path: StringMatch.prefix('/') }] });
      case 'removeMirrorRoute': return CanaryStep.removeMirrorRoute(x.name);
      case 'canaryScaleReplicas': return CanaryStep.canaryScaleReplicas(x.replicas);
      case 'canaryScaleWeight': return CanaryStep.canaryScaleWeight(x.weight);
      case 'matchTrafficWeight': return CanaryStep.matchTrafficWeight();
      case 'experiment': return CanaryStep.experiment({
        templates: x.templates.map((t, j) => ({
          name: `t${j}-${t.stable ? 'stable' : 'canary'}`,
          specRef: t.stable ? ExperimentSpecRef.STABLE : ExperimentSpecRef.CANARY,
          replicas: t.replicas,
          weight: j === 0 && overrides.experimentWeight !== undefined && i === s.steps.findIndex((y) => y.kind === 'experiment') ? overrides.experimentWeight : t.weight,
          service: t.service,
        })),
        duration: x.minutes === undefined ? undefined : Duration.minutes(x.minutes),
        analyses: x.analysis ? [{ name: 'checks', template: prom() }] : undefined,
        scaleDownDelay: x.scaleDownSeconds === undefined ? undefined : Duration.seconds(x.scaleDownSeconds),
      });
      case 'baselineVsCanary': return CanaryStep.baselineVsCanary({ analysis: compare!, duration: Duration.minutes(x.minutes), replicas: x.replicas, weight: x.weight });
    }
  });
  const common = {
    metadata: { name: s.name },
    containers: [{ image: 'registry.example.com/app:1.0.0', portNumber: s.port }],
    replicas: s.replicas,
    minReady: s.minReadySeconds === undefined ? undefined : Duration.seconds(s.minReadySeconds),
    progressDeadline: s.progressDeadlineSeconds === undefined ? undefined : Duration.seconds(s.progressDeadlineSeconds),
    revisionHistoryLimit: s.revisionHistoryLimit,
  };
  const affinityWeight = overrides.antiAffinityWeight ?? s.antiAffinity;
  const antiAffinity = affinityWeight === undefined ? undefined
    : affinityWeight === 0 ? AntiAffinity.required() : AntiAffinity.preferred(affinityWeight);
  const rollout = s.strategy === 'canary'
    ? new CanaryRollout(chart, 'ro', {
      ...common,
      trafficSplit: trafficSplit(chart, s),
      steps,
      backgroundAnalysis: s.background ? { templates: [prom()] } : undefined,
      scaleDownDelay: s.scaleDownDelaySeconds === undefined ? undefined : Duration.seconds(s.scaleDownDelaySeconds),
      abortScaleDownDelay: s.abortScaleDownDelaySeconds === undefined ? undefined : Duration.seconds(s.abortScaleDownDelaySeconds),
      dynamicStableScale: s.dynamicStableScale || undefined,
      minPodsPerReplicaSet: s.minPodsPerReplicaSet,
      canaryMetadata: s.canaryLabels ? { labels: { role: 'canary' } } : undefined,
      stableMetadata: s.canaryLabels ? { labels: { role: 'stable' } } : undefined,
      antiAffinity,
    })
    : new BlueGreenRollout(chart, 'ro', {
      ...common,
      autoPromotionEnabled: s.autoPromotion,
      autoPromotionDelay: s.autoPromotion && s.autoPromotionDelaySeconds !== undefined ? Duration.seconds(s.autoPromotionDelaySeconds) : undefined,
      previewReplicaCount: s.previewReplicas,
      scaleDownDelayRevisionLimit: overrides.scaleDownDelayRevisionLimit ?? s.scaleDownDelayRevisionLimit,
      prePromotionAnalysis: s.background ? { templates: [smoke() ?? prom()] } : undefined,
      postPromotionAnalysis: !s.background ? { templates: [prom()] } : undefined,
      activeMetadata: s.canaryLabels ? { labels: { role: 'active' } } : undefined,
      previewMetadata: s.canaryLabels ? { labels: { role: 'preview' } } : undefined,
      antiAffinity,
      previewIngress: s.previewIngress ? { host: `preview.${s.name}.example.com` } : undefined,
    });
  if (s.notifications) {
    const targets = [
      ...(s.notifications.slack ? [NotificationTarget.slack(s.notifications.slack)] : []),
      ...(s.notifications.webhook ? [NotificationTarget.webhook(s.notifications.webhook)] : []),
    ];
    const triggers = [...s.notifications.triggers.map((t) => TRIGGERS[t]), ...(s.notifications.event ? [RolloutNotificationTrigger.onEvent('RolloutResumed')] : [])];
    if (targets.length > 0) new RolloutNotifications(chart, 'notify', { rollout, subscriptions: [{ triggers, targets }] });
  }
  app.synth();
}
