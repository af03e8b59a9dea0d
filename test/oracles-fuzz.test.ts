import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import {
  AnalysisCheck, BlueGreenRollout, CanaryRollout, CanaryStep, GatewayApiTrafficSplit, IstioSplitLevel, IstioTrafficSplit, ITrafficSplit,
  NginxTrafficSplit, ProgressiveApp, PrometheusAnalysis, StringMatch,
} from '../src';
import { buildValid, ValidOverrides, ValidSpec, validSpec } from './support/fuzz-valid-apps';
import { ApiServerResult, OracleResult, oraclesAvailable, runKubectlValidateAsync, runOracleAsync } from './support/oracles';

/*
 * Differential fuzzing: random apps built through the public typed API, judged by the upstream code.
 * - The library synthesises: the controller's lint/validation, kubectl-validate and the traffic
 *   reconcilers accept the output, and the API server's CRD defaulting leaves its custom resources
 *   unchanged (`oracle crd-defaults`), else it is a disagreement.
 * - The library refuses: the error names the construct path and a property, nothing is written,
 *   and when the refusal mirrors a controller rule (the `mirror` faults below), the controller (or
 *   the API server) refuses the same spec, written by synthesising the app without the fault and
 *   putting the refused value into the YAML.
 * Two profiles: `faults` (this file's generator: hostile names, numbers at and beyond their bounds,
 * one-value faults) and `valid` (apps that follow every rule the generator knows, over the whole
 * typed API, a few with one mirrored fault): the library must accept every valid app it is given
 * without a fault. Each oracle runs once over one tree holding both profiles' apps, the oracles in
 * parallel. Counts go to test-reports/oracle-fuzz.json.
 */

const RUNS = Number(process.env.ORACLE_FUZZ_RUNS ?? 2000);
/** Apps of the valid profile (test/support/fuzz-valid-apps.ts), beside the RUNS of the fault profile. */
const VALID_RUNS = Number(process.env.ORACLE_FUZZ_VALID_RUNS ?? 1500);
const SEED = Number(process.env.ORACLE_FUZZ_SEED ?? 20261201);

const REPORT = path.join(__dirname, '..', 'test-reports', 'oracle-fuzz.json');
/** The deterministic part of the report (same seed and code, same file), cited by the README. */
const COMMITTED_REPORT = path.join(__dirname, 'oracles', 'fuzz-report.json');

type Router = 'none' | 'nginx' | 'istio-host' | 'istio-subset' | 'gateway';
type Step =
  | { kind: 'weight'; weight: number }
  | { kind: 'pause'; seconds: number }
  | { kind: 'pauseUntilPromoted' }
  | { kind: 'analysis' }
  | { kind: 'headerRoute'; name: string; value: string }
  | { kind: 'mirrorRoute'; name: string; percentage: number }
  | { kind: 'canaryScaleReplicas'; replicas: number }
  | { kind: 'canaryScaleWeight'; weight: number }
  | { kind: 'matchTrafficWeight' };
interface Check { kind: 'successRate' | 'errorRate' | 'latency' | 'podRestarts' | 'cpu'; value: number }
interface Analysis { name: string; checks: Check[]; count?: number; intervalSeconds: number; failuresToAbort?: number }
interface Spec {
  name: string;
  namespace?: string;
  strategy: 'canary' | 'blueGreen';
  router: Router;
  replicas?: number;
  port: number;
  steps: Step[];
  analysis?: Analysis;
  background: boolean;
  autoPromotion: boolean;
  previewReplicas?: number;
  maxSurgeZero: boolean;
  maxUnavailableZero: boolean;
}

/** A fault with a controller rule it mirrors: the base value the library accepts and the edit that puts the refused value back. */
interface Mirror { kind: 'Rollout' | 'AnalysisTemplate'; edit: (obj: any) => void; rule: string }

const dnsName = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
const hostileName = fc.constantFrom('MyApp', 'a_b', '-x', 'x-', 'a'.repeat(58), 'a'.repeat(64), 'a.b', '');
/** Strings YAML 1.1 readers (go-yaml) may read as something else, and characters that break a file. */
const yamlHostile = fc.oneof(
  { weight: 4, arbitrary: fc.constant('true') },
  { weight: 3, arbitrary: fc.constantFrom('0o17', '0X1F', '0B11', '0x1f', '017', '1_000', '1e3', '.5', 'yes', 'No', 'on', 'y', '~', 'null', '<<', '=', 'a\u2028b', 'a\u2029b', 'a\u0085b', '\ufeffx', 'a: b', '- x', '#x', '12:30', '2026-12-01') },
);
const number = (min: number, max: number) => fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min, max }) },
  { weight: 3, arbitrary: fc.constantFrom(min, max) },
  { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 0.5, -0.5, Number.NaN, Infinity) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: number(0, 100).map((weight) => ({ kind: 'weight' as const, weight })) },
  { weight: 4, arbitrary: fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.constantFrom(0, 0.5)).map((seconds) => ({ kind: 'pause' as const, seconds })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pauseUntilPromoted' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'analysis' as const }) },
  { weight: 1, arbitrary: fc.record({ name: dnsName, value: yamlHostile }).map((r) => ({ kind: 'headerRoute' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ name: dnsName, percentage: number(0, 100) }).map((r) => ({ kind: 'mirrorRoute' as const, ...r })) },
  { weight: 1, arbitrary: number(0, 10).map((replicas) => ({ kind: 'canaryScaleReplicas' as const, replicas })) },
  { weight: 1, arbitrary: number(0, 100).map((weight) => ({ kind: 'canaryScaleWeight' as const, weight })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'matchTrafficWeight' as const }) },
);
const check: fc.Arbitrary<Check> = fc.oneof(
  fc.record({ kind: fc.constant('successRate' as const), value: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(1.5, -0.1)) }),
  fc.record({ kind: fc.constant('errorRate' as const), value: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(2, -1)) }),
  fc.record({ kind: fc.constant('latency' as const), value: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constant(0)) }),
  fc.record({ kind: fc.constant('podRestarts' as const), value: number(0, 5) }),
  fc.record({ kind: fc.constant('cpu' as const), value: fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.constantFrom(0, 3)) }),
);
const analysis: fc.Arbitrary<Analysis> = fc.record({
  name: dnsName,
  checks: fc.uniqueArray(check, { minLength: 1, maxLength: 4, selector: (c) => c.kind }),
  count: fc.option(number(1, 10), { nil: undefined }),
  intervalSeconds: fc.constantFrom(30, 60, 300),
  failuresToAbort: fc.option(number(1, 5), { nil: undefined }),
}, { requiredKeys: ['name', 'checks', 'intervalSeconds'] });
const spec: fc.Arbitrary<Spec> = fc.record({
  name: fc.oneof({ weight: 12, arbitrary: dnsName }, { weight: 1, arbitrary: hostileName }),
  namespace: fc.option(fc.oneof({ weight: 10, arbitrary: dnsName }, { weight: 1, arbitrary: fc.constantFrom('Prod', 'a'.repeat(64)) }), { nil: undefined }),
  strategy: fc.constantFrom('canary' as const, 'canary' as const, 'blueGreen' as const),
  router: fc.constantFrom<Router>('none', 'nginx', 'istio-host', 'istio-subset', 'gateway'),
  replicas: fc.option(number(0, 10), { nil: undefined }),
  port: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 65536, 80.5) }),
  steps: fc.array(step, { maxLength: 8 }),
  analysis: fc.option(analysis, { nil: undefined }),
  background: fc.boolean(),
  autoPromotion: fc.boolean(),
  previewReplicas: fc.option(number(1, 5), { nil: undefined }),
  maxSurgeZero: fc.constantFrom(false, false, false, true),
  maxUnavailableZero: fc.constantFrom(false, false, true),
}, { requiredKeys: ['name', 'strategy', 'router', 'port', 'steps', 'background', 'autoPromotion', 'maxSurgeZero', 'maxUnavailableZero'] });

/** One-value faults whose refusal mirrors a controller rule (reference/argo-rollouts-validation-rules.md). */
const faults: Array<{ name: string; applies: (s: Spec) => boolean; apply: (s: Spec) => { faulty: Spec; base: Spec; mirror: Mirror } }> = [
  {
    name: 'setWeight outside 0-100',
    applies: (s) => s.strategy === 'canary',
    apply: (s) => {
      const w = 150;
      return {
        faulty: { ...s, steps: [...s.steps, { kind: 'weight', weight: w }] },
        base: { ...s, steps: [...s.steps, { kind: 'weight', weight: 50 }] },
        mirror: { kind: 'Rollout', rule: 'SetWeight must be between 0 and 100', edit: (o) => { o.spec.strategy.canary.steps.at(-1).setWeight = w; } },
      };
    },
  },
  {
    name: 'negative replicas',
    applies: () => true,
    apply: (s) => ({
      faulty: { ...s, replicas: -1 },
      base: { ...s, replicas: 1 },
      mirror: { kind: 'Rollout', rule: 'replicas >= 0', edit: (o) => { o.spec.replicas = -1; } },
    }),
  },
  {
    name: 'maxSurge and maxUnavailable both zero',
    applies: (s) => s.strategy === 'canary',
    apply: (s) => ({
      faulty: { ...s, maxSurgeZero: true, maxUnavailableZero: true },
      base: { ...s, maxSurgeZero: false, maxUnavailableZero: true },
      mirror: { kind: 'Rollout', rule: 'MaxSurge and MaxUnavailable both can not be zero', edit: (o) => { o.spec.strategy.canary.maxSurge = 0; } },
    }),
  },
  {
    name: 'mirror route without an Istio split',
    applies: (s) => s.strategy === 'canary' && ['nginx', 'gateway'].includes(s.router),
    apply: (s) => ({
      faulty: { ...s, steps: [...s.steps, { kind: 'mirrorRoute', name: 'fuzz-mirror', percentage: 50 }] },
      base: { ...s, steps: [...s.steps, { kind: 'weight', weight: 50 }] },
      mirror: {
        kind: 'Rollout',
        rule: 'SetMirrorRoute requires TrafficRouting, supports Istio only',
        edit: (o) => {
          const canary = o.spec.strategy.canary;
          canary.steps[canary.steps.length - 1] = { setMirrorRoute: { name: 'fuzz-mirror', percentage: 50, match: [{ path: { prefix: '/' } }] } };
          canary.trafficRouting.managedRoutes = [...(canary.trafficRouting.managedRoutes ?? []), { name: 'fuzz-mirror' }];
        },
      },
    }),
  },
  {
    name: 'header route with nginx',
    applies: (s) => s.strategy === 'canary' && s.router === 'nginx',
    apply: (s) => ({
      faulty: { ...s, steps: [...s.steps, { kind: 'headerRoute', name: 'fuzz-header', value: 'true' }] },
      base: { ...s, steps: [...s.steps, { kind: 'weight', weight: 50 }] },
      mirror: {
        kind: 'Rollout',
        rule: 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
        edit: (o) => {
          const canary = o.spec.strategy.canary;
          canary.steps[canary.steps.length - 1] = { setHeaderRoute: { name: 'fuzz-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'true' } }] } };
          canary.trafficRouting.managedRoutes = [...(canary.trafficRouting.managedRoutes ?? []), { name: 'fuzz-header' }];
        },
      },
    }),
  },
];

/** A fault of the valid profile: the faulty and base builds (overrides of one value) and the controller rule it mirrors. */
interface ValidFault {
  name: string;
  applies: (s: ValidSpec) => boolean;
  apply: (s: ValidSpec) => { faulty: [ValidSpec, ValidOverrides]; base: [ValidSpec, ValidOverrides]; mirror: Mirror };
}
const firstExperiment = (s: ValidSpec) => s.steps.findIndex((x) => x.kind === 'experiment');
const strategyOf = (o: any) => o.spec.strategy.canary ?? o.spec.strategy.blueGreen;
const validFaults: ValidFault[] = [
  {
    name: 'experiment weight without traffic routing',
    applies: (s) => s.strategy === 'canary' && s.router === 'none' && firstExperiment(s) >= 0,
    apply: (s) => ({
      faulty: [s, { experimentWeight: 10 }],
      base: [s, {}],
      mirror: { kind: 'Rollout', rule: 'Experiment template weight cannot be set unless TrafficRouting is enabled', edit: (o) => { o.spec.strategy.canary.steps[firstExperiment(s)].experiment.templates[0].weight = 10; } },
    }),
  },
  {
    name: 'experiment weight with nginx',
    applies: (s) => s.strategy === 'canary' && s.router === 'nginx' && firstExperiment(s) >= 0,
    apply: (s) => ({
      faulty: [s, { experimentWeight: 10 }],
      base: [s, {}],
      mirror: { kind: 'Rollout', rule: 'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins', edit: (o) => { o.spec.strategy.canary.steps[firstExperiment(s)].experiment.templates[0].weight = 10; } },
    }),
  },
  {
    name: 'antiAffinity weight outside 1-100',
    applies: () => true,
    apply: (s) => ({
      faulty: [s, { antiAffinityWeight: 101 }],
      base: [s, { antiAffinityWeight: 50 }],
      mirror: { kind: 'Rollout', rule: 'AntiAffinity weight must be between 1-100', edit: (o) => { strategyOf(o).antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight = 101; } },
    }),
  },
  {
    name: 'scaleDownDelayRevisionLimit above revisionHistoryLimit',
    applies: (s) => s.strategy === 'blueGreen',
    apply: (s) => {
      const limit = s.revisionHistoryLimit ?? 10;
      return {
        faulty: [s, { scaleDownDelayRevisionLimit: limit + 1 }],
        base: [s, { scaleDownDelayRevisionLimit: limit }],
        mirror: { kind: 'Rollout', rule: "revision history limit can not be smaller than the rollout's scale down limit", edit: (o) => { o.spec.strategy.blueGreen.scaleDownDelayRevisionLimit = limit + 1; } },
      };
    },
  },
  {
    name: 'dynamicStableScale without traffic routing',
    applies: (s) => s.strategy === 'canary' && s.router === 'none',
    apply: (s) => ({
      faulty: [{ ...s, dynamicStableScale: true }, {}],
      base: [s, {}],
      mirror: { kind: 'Rollout', rule: 'Canary dynamicStableScale can only be used with traffic routing', edit: (o) => { o.spec.strategy.canary.dynamicStableScale = true; } },
    }),
  },
  {
    name: 'scaleDownDelay without traffic routing',
    applies: (s) => s.strategy === 'canary' && s.router === 'none',
    apply: (s) => ({
      faulty: [{ ...s, scaleDownDelaySeconds: 30 }, {}],
      base: [s, {}],
      mirror: { kind: 'Rollout', rule: 'Canary scaleDownDelaySeconds can only be used with traffic routing', edit: (o) => { o.spec.strategy.canary.scaleDownDelaySeconds = 30; } },
    }),
  },
  {
    name: 'dynamicStableScale with scaleDownDelay',
    applies: (s) => s.strategy === 'canary' && s.router !== 'none',
    apply: (s) => ({
      faulty: [{ ...s, dynamicStableScale: true, scaleDownDelaySeconds: 30 }, {}],
      base: [{ ...s, dynamicStableScale: false, scaleDownDelaySeconds: 30 }, {}],
      mirror: { kind: 'Rollout', rule: 'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds', edit: (o) => { o.spec.strategy.canary.dynamicStableScale = true; } },
    }),
  },
  {
    name: 'canary scale without traffic routing',
    applies: (s) => s.strategy === 'canary' && s.router === 'none',
    apply: (s) => ({
      faulty: [{ ...s, steps: [...s.steps, { kind: 'canaryScaleWeight', weight: 50 }] }, {}],
      base: [{ ...s, steps: [...s.steps, { kind: 'weight', weight: 50 }] }, {}],
      mirror: { kind: 'Rollout', rule: 'SetCanaryScale requires TrafficRouting to be set', edit: (o) => { o.spec.strategy.canary.steps[o.spec.strategy.canary.steps.length - 1] = { setCanaryScale: { weight: 50 } }; } },
    }),
  },
  {
    name: 'progressDeadline not above minReady',
    applies: () => true,
    apply: (s) => ({
      faulty: [{ ...s, minReadySeconds: 120, progressDeadlineSeconds: 120 }, {}],
      base: [{ ...s, minReadySeconds: 60, progressDeadlineSeconds: 120 }, {}],
      mirror: { kind: 'Rollout', rule: 'progressDeadlineSeconds must be greater than minReadySeconds', edit: (o) => { o.spec.minReadySeconds = 120; } },
    }),
  },
];

function trafficSplit(chart: Chart, s: Spec): ITrafficSplit | undefined {
  switch (s.router) {
    case 'nginx': return new NginxTrafficSplit(chart, 'traffic', { host: `${s.name || 'x'}.example.com`, port: s.port });
    case 'istio-host': return new IstioTrafficSplit(chart, 'traffic', { hosts: [`${s.name || 'x'}.example.com`], port: s.port });
    case 'istio-subset': return new IstioTrafficSplit(chart, 'traffic', { hosts: [`${s.name || 'x'}.example.com`], level: IstioSplitLevel.SUBSET, port: s.port });
    case 'gateway': return new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gateway', namespace: 'gateway-system' }], hostnames: [`${s.name || 'x'}.example.com`], port: s.port });
    default: return undefined;
  }
}

function renderCheck(c: Check): AnalysisCheck {
  switch (c.kind) {
    case 'successRate': return AnalysisCheck.successRate({ atLeast: c.value });
    case 'errorRate': return AnalysisCheck.errorRate({ below: c.value });
    case 'latency': return AnalysisCheck.latency({ percentile: 99, below: Duration.millis(c.value) });
    case 'podRestarts': return AnalysisCheck.podRestarts({ atMost: c.value });
    case 'cpu': return AnalysisCheck.cpu({ atMost: c.value });
  }
}

function renderStep(s: Step, inline: PrometheusAnalysis | undefined): CanaryStep | undefined {
  switch (s.kind) {
    case 'weight': return CanaryStep.weight(s.weight);
    case 'pause': return CanaryStep.pause(Duration.seconds(s.seconds));
    case 'pauseUntilPromoted': return CanaryStep.pauseUntilPromoted();
    case 'analysis': return inline ? CanaryStep.analysis({ templates: [inline] }) : undefined;
    case 'headerRoute': return CanaryStep.headerRoute({ name: s.name, match: [{ name: 'x-canary', value: StringMatch.exact(s.value) }] });
    case 'mirrorRoute': return CanaryStep.mirrorRoute({ name: s.name, percentage: s.percentage, match: [{ path: StringMatch.prefix('/') }] });
    case 'canaryScaleReplicas': return CanaryStep.canaryScaleReplicas(s.replicas);
    case 'canaryScaleWeight': return CanaryStep.canaryScaleWeight(s.weight);
    case 'matchTrafficWeight': return CanaryStep.matchTrafficWeight();
  }
}

/** Builds the app through the public API and synthesises it into outdir. */
function build(s: Spec, outdir: string): void {
  const app = new ProgressiveApp({ outdir });
  const chart = new Chart(app, 'c', { namespace: s.namespace });
  const a = s.analysis && new PrometheusAnalysis(chart, 'analysis', {
    metadata: { name: s.analysis.name },
    address: 'http://prometheus.monitoring.svc.cluster.local:9090',
    checks: s.analysis.checks.map(renderCheck),
    count: s.analysis.count,
    interval: Duration.seconds(s.analysis.intervalSeconds),
    failuresToAbort: s.analysis.failuresToAbort,
  });
  const common = {
    metadata: { name: s.name },
    containers: [{ image: 'registry.example.com/app:1.0.0', portNumber: s.port }],
    replicas: s.replicas,
  };
  if (s.strategy === 'canary') {
    new CanaryRollout(chart, 'ro', {
      ...common,
      trafficSplit: trafficSplit(chart, s),
      steps: s.steps.map((x) => renderStep(x, a)).filter((x): x is CanaryStep => x !== undefined),
      backgroundAnalysis: a && s.background ? { templates: [a] } : undefined,
      maxSurge: s.maxSurgeZero ? kplus.PercentOrAbsolute.absolute(0) : undefined,
      maxUnavailable: s.maxUnavailableZero ? kplus.PercentOrAbsolute.absolute(0) : undefined,
    });
  } else {
    new BlueGreenRollout(chart, 'ro', {
      ...common,
      autoPromotionEnabled: s.autoPromotion,
      previewReplicaCount: s.previewReplicas,
      prePromotionAnalysis: a && s.background ? { templates: [a] } : undefined,
      postPromotionAnalysis: a && !s.background ? { templates: [a] } : undefined,
    });
  }
  app.synth();
}

/** Property names the generated props use: a refusal names one of them (or the spec field it writes). */
const PROPERTIES = [
  'name', 'metadata', 'namespace', 'replicas', 'port', 'portNumber', 'containers', 'steps', 'setWeight', 'weight', 'pause', 'duration',
  'analysis', 'templates', 'headerRoute', 'setHeaderRoute', 'mirrorRoute', 'setMirrorRoute', 'percentage', 'match', 'canaryScaleReplicas',
  'canaryScaleWeight', 'setCanaryScale', 'trafficSplit', 'trafficRouting', 'host', 'hosts', 'hostnames', 'gateways', 'atLeast', 'below',
  'atMost', 'percentile', 'count', 'interval', 'failuresToAbort', 'failureLimit', 'checks', 'maxSurge', 'maxUnavailable',
  'previewReplicaCount', 'autoPromotionEnabled', 'prePromotionAnalysis', 'postPromotionAnalysis', 'backgroundAnalysis', 'successCondition',
  'failureCondition', 'query', 'level', 'managedRoutes', 'ingressName', 'stableService', 'canaryService', 'activeService', 'previewService',
  'experiment', 'scaleDownDelay', 'abortScaleDownDelay', 'dynamicStableScale', 'minPodsPerReplicaSet', 'antiAffinity', 'minReady',
  'progressDeadline', 'revisionHistoryLimit', 'scaleDownDelayRevisionLimit', 'autoPromotionDelay', 'previewIngress', 'stickiness', 'pingPong',
  'subscriptions', 'targets', 'triggers', 'canaryMetadata', 'stableMetadata', 'activeMetadata', 'previewMetadata',
];

function namesPathAndProperty(message: string): boolean {
  return /\bc\/[\w/-]+/.test(message) && PROPERTIES.some((p) => new RegExp(`\\b${p}\\b`).test(message));
}

function readYamlTree(dir: string): Array<{ file: string; docs: any[] }> {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true } as any) as string[]).filter((f) => f.endsWith('.yaml')).map((f) => {
    const file = path.join(dir, f);
    return { file, docs: YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON()) };
  });
}

/** Disagreement classes, each with a count and the first reproducer. */
const CATEGORIES: Array<[string, RegExp]> = [
  ['names the API server rejects (DNS-1123, 63 characters, label values)', /RFC 1123|DNS-1035|no more than 63|valid label|invalid label selector/],
  ['non-finite or non-integer numbers written', /unsupported value: [+-]?Inf|NaN|\.nan|cannot unmarshal number [\d.e+-]+ into|whole number/],
  ['analysis args the rollout does not supply', /was not resolved/],
  ['numbers out of the range the API server accepts (ports, replicas, HPA bounds)', /must be between \d+ and \d+|must be greater than or equal to/],
  ['refusals that do not name the construct path and property', /refusal without construct path/],
  ['strings go-yaml reads differently or cannot read (0o17, 0X1F, U+2028)', /could not find expected|must be of type string: "integer"|yaml: line \d+/],
];

function categories(disagreements: string[]): { [name: string]: { count: number; first: string } } {
  const out: { [name: string]: { count: number; first: string } } = {};
  for (const d of disagreements) {
    const name = CATEGORIES.find(([, re]) => re.test(d))?.[0] ?? 'other';
    out[name] = { count: (out[name]?.count ?? 0) + 1, first: out[name]?.first ?? d.slice(0, 1500) };
  }
  return out;
}

const describeIf = oraclesAvailable() ? describe : describe.skip;

describeIf('differential fuzzing against the controller and the API server', () => {
  test(`${RUNS} + ${VALID_RUNS} random apps: what the library writes the upstream code accepts; what it refuses, it refuses as the controller does`, async () => {
    const started = Date.now();
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'oracle-fuzz-'));
    const refusedTree = `${tree}-refused`;
    fs.mkdirSync(refusedTree);
    /** One generated app: how to build it, and, for a mirrored fault, how to build it without the fault. */
    interface Generated { id: string; profile: 'faults' | 'valid'; spec: unknown; build: (dir: string) => void; fault?: { name: string; buildBase: (dir: string) => void; mirror: Mirror } }
    const generated: Generated[] = [];
    fc.sample(fc.tuple(spec, fc.nat(faults.length * 3)), { seed: SEED, numRuns: RUNS }).forEach(([base, faultIndex], i) => {
      const fault = faults[faultIndex]?.applies(base) ? faults[faultIndex] : undefined;
      const applied = fault?.apply(base);
      const s = applied?.faulty ?? base;
      generated.push({
        id: `app-${String(i).padStart(5, '0')}`,
        profile: 'faults',
        spec: s,
        build: (dir) => build(s, dir),
        fault: applied && { name: fault!.name, buildBase: (dir) => build(applied.base, dir), mirror: applied.mirror },
      });
    });
    // About one valid app in 20 gets a fault (when it applies to the app).
    fc.sample(fc.tuple(validSpec, fc.nat(validFaults.length * 10)), { seed: SEED, numRuns: VALID_RUNS }).forEach(([base, faultIndex], i) => {
      const fault = validFaults[faultIndex]?.applies(base) ? validFaults[faultIndex] : undefined;
      const applied = fault?.apply(base);
      const [s, overrides] = applied?.faulty ?? [base, {}];
      generated.push({
        id: `valid-${String(i).padStart(5, '0')}`,
        profile: 'valid',
        spec: { ...s, overrides },
        build: (dir) => buildValid(s, dir, overrides),
        fault: applied && { name: fault!.name, buildBase: (dir) => buildValid(applied.base[0], dir, applied.base[1]), mirror: applied.mirror },
      });
    });
    const byId = new Map(generated.map((g) => [g.id, g]));
    const disagreements: string[] = [];
    const mirrored = new Map<string, { rule: string; fault: string }>();
    const counts = { faults: { generated: 0, accepted: 0, refused: 0 }, valid: { generated: 0, accepted: 0, refused: 0 } };
    for (const g of generated) {
      const outdir = path.join(tree, g.id);
      const c = counts[g.profile];
      c.generated++;
      try {
        g.build(outdir);
        c.accepted++;
      } catch (e: any) {
        c.refused++;
        const message = String(e?.message ?? e);
        if (!namesPathAndProperty(message)) disagreements.push(`${g.id}: refusal without construct path and property: ${message.slice(0, 300)}\n  spec: ${JSON.stringify(g.spec)}`);
        if (fs.existsSync(outdir)) disagreements.push(`${g.id}: refused but wrote ${outdir}`);
        if (g.profile === 'valid' && !g.fault) disagreements.push(`${g.id}: valid app refused: ${message.slice(0, 600)}\n  spec: ${JSON.stringify(g.spec)}`);
        if (g.fault) {
          // The same app without the fault, then the refused value written into its YAML.
          const dir = path.join(refusedTree, g.id);
          try {
            g.fault.buildBase(dir);
          } catch (baseError: any) {
            fs.rmSync(dir, { recursive: true, force: true });
            if (g.profile === 'valid') disagreements.push(`${g.id}: valid app refused without its fault "${g.fault.name}": ${String(baseError?.message ?? baseError).slice(0, 600)}\n  spec: ${JSON.stringify(g.spec)}`);
            continue; // the app is refused for another reason too: nothing to compare
          }
          for (const { file, docs } of readYamlTree(dir)) {
            const target = docs.find((d) => d?.kind === g.fault!.mirror.kind);
            if (!target) continue;
            g.fault.mirror.edit(target);
            fs.writeFileSync(file, docs.map((d) => YAML.stringify(d)).join('---\n'));
          }
          mirrored.set(g.id, { rule: g.fault.mirror.rule, fault: g.fault.name });
        }
      }
    }
    const synthSeconds = (Date.now() - started) / 1000;

    // Each oracle once per tree, all of them at once (they are separate processes).
    const byApp = (results: Array<OracleResult | ApiServerResult>, root: string) => {
      const m = new Map<string, string[]>();
      for (const r of results.filter((x) => !x.ok)) {
        const app = path.relative(root, r.file ?? '').split(path.sep)[0];
        m.set(app, [...(m.get(app) ?? []), `${(r as any).check ?? 'kubectl-validate'}${(r as any).router ? `[${(r as any).router}]` : ''}: ${((r as any).errors ?? [(r as any).message]).join('; ')}`]);
      }
      return m;
    };
    const hasMirrored = mirrored.size > 0;
    // kubectl-validate is the slowest judge (CEL rules of HTTPRoutes): two processes, on two folders
    // holding half the apps each (hard links; it loads its schemas once per path argument).
    const halves = [`${tree}-half0`, `${tree}-half1`];
    fs.readdirSync(tree).forEach((app, i) => {
      const from = path.join(tree, app);
      const to = path.join(halves[i % 2], app);
      fs.mkdirSync(to, { recursive: true });
      for (const f of fs.readdirSync(from)) fs.linkSync(path.join(from, f), path.join(to, f));
    });
    const [lint, reconcile, yaml, defaults, refusedLint, refusedValidate, ...validate] = await Promise.all([
      runOracleAsync('lint', tree), runOracleAsync('reconcile', tree), runOracleAsync('yaml', tree), runOracleAsync('crd-defaults', tree),
      hasMirrored ? runOracleAsync('lint', refusedTree) : [], hasMirrored ? runKubectlValidateAsync(refusedTree) : [],
      ...halves.filter((h) => fs.existsSync(h)).map((h) => runKubectlValidateAsync(h)),
    ]);
    const rejected = byApp([...lint, ...reconcile, ...yaml, ...defaults], tree);
    halves.forEach((h, i) => byApp(validate[i] ?? [], h).forEach((errors, app) => rejected.set(app, [...(rejected.get(app) ?? []), ...errors])));
    for (const [app, errors] of rejected) {
      disagreements.push(`${app}: synthesised, rejected by the upstream code:\n  ${errors.join('\n  ')}\n  spec: ${JSON.stringify(byId.get(app)?.spec)}`);
    }
    const controllerRefused = byApp([...refusedLint, ...refusedValidate], refusedTree);
    for (const [app, { rule, fault }] of mirrored) {
      if (!controllerRefused.has(app)) disagreements.push(`${app}: the library refuses "${fault}" (controller rule: ${rule}) but the controller and the API server accept it`);
    }

    const report = {
      seed: SEED,
      generated: generated.length,
      accepted: counts.faults.accepted + counts.valid.accepted,
      refused: counts.faults.refused + counts.valid.refused,
      mirroredRefusals: mirrored.size,
      controllerRefusedMirrored: [...mirrored.keys()].filter((k) => controllerRefused.has(k)).length,
      profiles: counts,
      mirroredByFault: Object.fromEntries([...faults, ...validFaults].map((f) =>
        [f.name, [...mirrored.values()].filter((m) => m.fault === f.name).length])),
      disagreements: disagreements.length,
      seconds: Math.round((Date.now() - started) / 1000),
      synthSeconds: Math.round(synthSeconds),
    };
    fs.mkdirSync(path.dirname(REPORT), { recursive: true });
    fs.writeFileSync(REPORT, `${JSON.stringify({ ...report, byCategory: categories(disagreements) }, null, 2)}\n`);
    if (RUNS === 2000 && VALID_RUNS === 1500 && SEED === 20261201) {
      const { seconds: _s, synthSeconds: _t, ...deterministic } = report;
      fs.writeFileSync(COMMITTED_REPORT, `${JSON.stringify({ ...deterministic, byCategory: categories(disagreements) }, null, 2)}\n`);
    }
    fs.writeFileSync(REPORT.replace(/\.json$/, '-disagreements.txt'), disagreements.join('\n\n'));
    if (process.env.ORACLE_FUZZ_KEEP) {
      console.log(`trees kept: ${tree} ${refusedTree}`);
    } else {
      for (const dir of [tree, refusedTree, ...halves]) fs.rmSync(dir, { recursive: true, force: true });
    }

    expect(counts.faults.generated).toBeGreaterThanOrEqual(Math.min(RUNS, 2000));
    expect(counts.faults.accepted).toBeGreaterThan(RUNS / 10);
    expect(counts.faults.refused).toBeGreaterThan(RUNS / 10);
    expect(counts.valid.accepted).toBeGreaterThan(VALID_RUNS * 0.8);
    expect(disagreements.slice(0, 20)).toEqual([]);
  }, 600_000);
});
