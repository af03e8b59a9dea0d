import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import { AnalysisArgument, AnalysisTemplateRef, CanaryRollout, CanaryStep, RolloutPlan, RolloutPlans } from '../src';
import { schemas, synth, testChart } from './support/synth';
import { PlanError } from '../src/plan/plan-error';

/** Seed 000 (aragora): 5/20/50/80 with pauses 2m/5m/5m/5m and background analysis, as hand-written YAML. */
const SEED_000 = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: aragora, namespace: aragora}
spec:
  replicas: 3
  selector: {matchLabels: {app: aragora}}
  template:
    metadata: {labels: {app: aragora}}
    spec: {containers: [{name: aragora, image: "aragora/aragora:v1.1.0"}]}
  strategy:
    canary:
      canaryService: aragora-canary
      stableService: aragora-stable
      trafficRouting: {nginx: {stableIngress: aragora-stable}}
      analysis:
        templates: [{templateName: aragora-canary-analysis}]
        startingStep: 1
        args: [{name: service-name, value: aragora}]
      steps:
      - setWeight: 5
      - pause: {duration: 2m}
      - setWeight: 20
      - pause: {duration: 5m}
      - setWeight: 50
      - pause: {duration: 300}
      - setWeight: 80
      - pause: {duration: "300"}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: aragora-canary-analysis, namespace: aragora}
spec:
  args: [{name: service-name}]
  metrics:
  - name: success-rate
    interval: 1m
    failureLimit: 3
    successCondition: len(result) > 0 && result[0] >= 0.99
    provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}
  - name: p99-latency
    interval: 1m
    failureLimit: 3
    successCondition: result[0] < 0.5 || isNaN(result[0])
    provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}
`;

/** Seed 002 (proxy-api): Istio, a header route, and an analysis step after each of five pauses. */
const SEED_002 = `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: proxy-api, namespace: x0tta6bl4-production}
spec:
  replicas: 3
  selector: {matchLabels: {app: proxy-api}}
  template:
    metadata: {labels: {app: proxy-api}}
    spec: {containers: [{name: proxy-api, image: "x0tta6bl4/proxy-orchestrator:v1.1.0"}]}
  strategy:
    canary:
      canaryService: proxy-api-canary
      stableService: proxy-api-stable
      trafficRouting:
        managedRoutes: [{name: canary-header}]
        istio: {virtualService: {name: proxy-api, routes: [primary]}}
      steps:
      - setHeaderRoute: {name: canary-header, match: [{headerName: x-canary, headerValue: {exact: "true"}}]}
      - setWeight: 5
      - pause: {duration: 2m}
      - analysis: {templates: [{templateName: smoke-test}]}
      - setWeight: 10
      - pause: {duration: 5m}
      - analysis: {templates: [{templateName: error-rate-analysis}], args: [{name: service-name, value: proxy-api-canary}]}
      - setWeight: 25
      - pause: {duration: 10m}
      - analysis: {templates: [{templateName: latency-analysis}], args: [{name: service-name, value: proxy-api-canary}]}
      - setWeight: 50
      - pause: {duration: 15m}
      - analysis: {templates: [{templateName: full-analysis}], args: [{name: service-name, value: proxy-api-canary}]}
      - setWeight: 75
      - pause: {duration: 10m}
      - analysis: {templates: [{templateName: pre-promotion-analysis}], args: [{name: service-name, value: proxy-api-canary}]}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke-test, namespace: x0tta6bl4-production}
spec:
  metrics:
  - {name: health, successCondition: result == true, provider: {web: {url: "http://proxy-api-canary/health", jsonPath: "{$.ok}"}}}
  - {name: metrics-endpoint, provider: {web: {url: "http://proxy-api-canary/metrics"}}}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: error-rate-analysis, namespace: x0tta6bl4-production}
spec:
  args: [{name: service-name}]
  metrics:
  - name: error-rate
    interval: 1m
    count: 5
    successCondition: len(result) > 0 && result[0] < 0.05
    failureCondition: len(result) > 0 && result[0] >= 0.10
    failureLimit: 1
    provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: latency-analysis, namespace: x0tta6bl4-production}
spec:
  args: [{name: service-name}, {name: samples, value: "5"}]
  metrics:
  - {name: p99-latency, interval: 1m, count: "{{ args.samples }}", successCondition: "result[0] < 0.5", provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: full-analysis, namespace: x0tta6bl4-production}
spec:
  args: [{name: service-name}]
  metrics:
  - {name: error-rate, interval: 1m, count: 10, successCondition: "result[0] < 0.02", provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}}
  - {name: pod-restarts, initialDelay: 1m, interval: 2m, count: 3, successCondition: "default(result, 0) == 0", provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: pre-promotion-analysis, namespace: x0tta6bl4-production}
spec:
  args: [{name: service-name}]
  metrics:
  - {name: no-errors-5m, successCondition: "default(result, 0) == 0", provider: {prometheus: {address: "http://prometheus:9090", query: "x"}}}
`;

function objectsOf(yaml: string): any[] {
  return parseAllDocuments(yaml).map((d) => d.toJS());
}

/** A canary Rollout with the given steps (and other canary fields). */
function canary(steps: any[], fields: any = {}, replicas = 3): any {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'app' }, spec: { replicas, strategy: { canary: { steps, ...fields } } } };
}

function planError(fn: () => void): PlanError {
  try {
    fn();
  } catch (e: any) {
    if (e instanceof PlanError) return e;
    throw e;
  }
  throw new Error('expected a PlanError, got none');
}

describe('seed 000: 5/20/50/80 with pauses 2m/5m/5m/5m', () => {
  const [plan] = RolloutPlans.fromManifests(objectsOf(SEED_000)).plans;

  test('four steps then full promotion, ~17 minutes, nobody has to promote', () => {
    expect(plan.steps.map((s) => s.weight)).toEqual([5, 20, 50, 80, 100]);
    expect(plan.steps.map((s) => s.pauseSeconds)).toEqual([120, 300, 300, 300, undefined]);
    expect(plan.steps.map((s) => s.startSeconds)).toEqual([0, 120, 420, 720, 1020]);
    expect(plan.steps.map((s) => s.specSteps)).toEqual([[0, 1], [2, 3], [4, 5], [6, 7], []]);
    expect(plan.minimumDurationSeconds).toBe(17 * 60);
    expect(plan.minimumDuration.toMinutes()).toBe(17);
    expect(plan.durationKnown).toBe(true);
    expect(plan.manualPromotions).toEqual([]);
    expect(plan.trafficRouting).toBe('nginx');
    expect(plan.namespace).toBe('aragora');
  });

  test('background analysis from step 1 with the template checks', () => {
    expect(plan.backgroundAnalysis?.startingStep).toBe(1);
    expect(plan.backgroundAnalysis?.templates).toEqual(['aragora-canary-analysis']);
    const checks = plan.backgroundAnalysis?.checks ?? [];
    expect(checks.map((c) => [c.metric, c.provider, c.successCondition, c.intervalSeconds, c.failureLimit, c.minimumSeconds])).toEqual([
      ['success-rate', 'prometheus', 'len(result) > 0 && result[0] >= 0.99', 60, 3, undefined],
      ['p99-latency', 'prometheus', 'result[0] < 0.5 || isNaN(result[0])', 60, 3, undefined],
    ]);
    expect(plan.steps.map((s) => s.backgroundAnalysis)).toEqual([true, true, true, true, false]);
    // Background analysis never holds a step: the total stays 17 minutes.
    expect(plan.steps.every((s) => s.analysis === undefined)).toBe(true);
  });

  test('the same plan from the construct, before synth', () => {
    const chart = testChart('aragora');
    const rollout = new CanaryRollout(chart, 'aragora', {
      metadata: { name: 'aragora' },
      containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }],
      replicas: 3,
      steps: [5, 20, 50, 80].flatMap((weight, i) => [CanaryStep.weight(weight), CanaryStep.pause(Duration.minutes(i === 0 ? 2 : 5))]),
      backgroundAnalysis: {
        templates: [AnalysisTemplateRef.fromName('aragora-canary-analysis', { requiredArgs: ['service-name'] })],
        args: [AnalysisArgument.value('service-name', 'aragora')],
      },
    });
    const fromConstruct = RolloutPlan.fromRollout(rollout);
    const timeline = (p: RolloutPlan) => p.steps.map((s) => [s.weight, s.pauseSeconds, s.startSeconds]);
    expect(timeline(fromConstruct)).toEqual(timeline(plan));
    expect(fromConstruct.minimumDurationSeconds).toBe(1020);
    // The template is referenced by name only: listed, checks unknown.
    expect(fromConstruct.backgroundAnalysis?.missingTemplates).toEqual(['aragora-canary-analysis']);
    expect(fromConstruct.notes.join('\n')).toContain('no traffic routing: the weight is approximated by the ratio of canary to stable pods (3 replicas: steps of about 33%)');
    for (const o of synth(chart)) expect(schemas.errors(o)).toEqual([]);
  });

  test('a user can assert a minimum release time', () => {
    expect(plan.minimumDuration.toSeconds()).toBeGreaterThanOrEqual(Duration.minutes(15).toSeconds());
    expect(plan.minimumDuration.toSeconds()).toBeLessThan(Duration.minutes(30).toSeconds());
  });
});

describe('seed 002: eleven steps with analyses', () => {
  const objects = objectsOf(SEED_002);

  test('the eleven rows of the seed table, with the analysis durations from the templates', () => {
    const [plan] = RolloutPlans.fromManifests(objects).plans;
    expect(plan.steps).toHaveLength(11);
    expect(plan.steps.map((s) => s.weight)).toEqual([5, 5, 10, 10, 25, 25, 50, 50, 75, 75, 100]);
    const none = undefined;
    expect(plan.steps.map((s) => s.pauseSeconds)).toEqual([120, none, 300, none, 600, none, 900, none, 600, none, none]);
    expect(plan.steps.map((s) => s.analysis?.templates[0])).toEqual([
      none, 'smoke-test', none, 'error-rate-analysis', none, 'latency-analysis', none, 'full-analysis', none, 'pre-promotion-analysis', none,
    ]);
    // smoke: one measurement; error rate: 5 every 1m; latency: count from a template arg; full: max(9m, 1m + 2 x 2m).
    expect(plan.steps.map((s) => s.analysis?.minimumSeconds)).toEqual([none, 0, none, 240, none, 240, none, 540, none, 0, none]);
    expect(plan.steps[7].analysis?.checks.map((c) => [c.metric, c.minimumSeconds])).toEqual([['error-rate', 540], ['pod-restarts', 300]]);
    expect(plan.steps[5].analysis?.checks[0].count).toBe(5);
    expect(plan.steps[3].analysis?.checks[0].failureCondition).toBe('len(result) > 0 && result[0] >= 0.10');
    expect(plan.steps.map((s) => s.startSeconds / 60)).toEqual([0, 2, 2, 7, 11, 21, 25, 40, 49, 59, 59]);
    // 42 minutes of pauses plus 17 of analysis: inside the seed's "45-60 minutes".
    expect(plan.minimumDurationSeconds).toBe(59 * 60);
    expect(plan.durationKnown).toBe(true);
    expect(plan.trafficRouting).toBe('istio');
  });

  test('the header route is active until full promotion', () => {
    const [plan] = RolloutPlans.fromManifests(objects).plans;
    expect(plan.steps[0].headerRoutes).toEqual(['canary-header: x-canary exact "true"']);
    expect(plan.steps[0].actions).toEqual(['set header route canary-header', 'set weight 5%', 'pause 2m']);
    expect(plan.steps.slice(0, 10).every((s) => s.headerRoutes.length === 1)).toBe(true);
    expect(plan.steps[10].headerRoutes).toEqual([]);
  });

  test('without the templates: analyses listed, durations unknown, 42 minutes of pauses as the lower bound', () => {
    const plan = RolloutPlan.fromManifest(objects[0]);
    expect(plan.durationKnown).toBe(false);
    expect(plan.minimumDurationSeconds).toBe(42 * 60);
    expect(plan.steps[1].analysis).toEqual({ templates: ['smoke-test'], checks: [], missingTemplates: ['smoke-test'], minimumSeconds: undefined });
    expect(plan.steps[1].minimumSeconds).toBeUndefined();
    expect(plan.steps[1].notes).toEqual(['duration unknown: template smoke-test not in the input']);
  });

  test('templates in another namespace are not used', () => {
    const moved = objects.map((o) => (o.kind === 'AnalysisTemplate' ? { ...o, metadata: { ...o.metadata, namespace: 'other' } } : o));
    const [plan] = RolloutPlans.fromManifests(moved).plans;
    expect(plan.steps[3].analysis?.missingTemplates).toEqual(['error-rate-analysis']);
  });
});

describe('step semantics', () => {
  test('pause {} waits for a person: a manual promotion point that adds no minimum time', () => {
    const plan = RolloutPlan.fromManifest(canary([{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '1h30m' } }, { pause: {} }]));
    expect(plan.steps.map((s) => [s.weight, s.manualPromotion, s.pauseSeconds, s.minimumSeconds])).toEqual([
      [20, true, undefined, 0], [50, false, 5400, 5400], [50, true, undefined, 0], [100, false, undefined, 0],
    ]);
    expect(plan.manualPromotions).toEqual([1, 3]);
    expect(plan.minimumDurationSeconds).toBe(5400);
    expect(plan.durationKnown).toBe(true);
    expect(plan.steps[0].actions).toEqual(['set weight 20%', 'pause until promoted']);
  });

  test('without setWeight the weight is unchanged; a trailing setWeight is a row of its own', () => {
    const plan = RolloutPlan.fromManifest(canary([{ pause: { duration: 30 } }, { setWeight: 40 }, { pause: { duration: '45s' } }, { pause: { duration: '1m' } }, { setWeight: 90 }]));
    expect(plan.steps.map((s) => [s.weight, s.specSteps, s.minimumSeconds])).toEqual([
      [0, [0], 30], [40, [1, 2], 45], [40, [3], 60], [90, [4], 0], [100, [], 0],
    ]);
    expect(plan.minimumDurationSeconds).toBe(135);
  });

  test('no steps: straight to 100%', () => {
    const plan = RolloutPlan.fromManifest(canary([]));
    expect(plan.steps.map((s) => [s.weight, s.startSeconds, s.actions])).toEqual([[100, 0, ['full promotion: the canary becomes stable']]]);
    expect(plan.minimumDurationSeconds).toBe(0);
    expect(plan.notes).toContain('no steps: an update goes to 100% as soon as the new pods are ready');
  });

  test('basic canary: the note gives the replica granularity; with traffic routing there is no such note', () => {
    expect(RolloutPlan.fromManifest(canary([{ setWeight: 10 }], {}, 4)).notes.join('\n')).toContain('(4 replicas: steps of about 25%)');
    expect(RolloutPlan.fromManifest(canary([{ setWeight: 10 }], { trafficRouting: { istio: {} } })).notes.join('\n')).not.toContain('no traffic routing');
  });

  test('maxTrafficWeight: weights are shares of it', () => {
    const plan = RolloutPlan.fromManifest(canary([{ setWeight: 50 }, { pause: {} }], { trafficRouting: { nginx: { stableIngress: 'x' }, maxTrafficWeight: 1000 } }));
    expect(plan.steps.map((s) => s.weight)).toEqual([5, 100]);
    expect(plan.steps[0].actions[0]).toBe('set weight 50 of 1000');
  });

  test('mirror routes, their removal, and canary scale', () => {
    const plan = RolloutPlan.fromManifest(canary([
      { setCanaryScale: { replicas: 2 } },
      { setMirrorRoute: { name: 'mirror', percentage: 35, match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }] } },
      { pause: { duration: 60 } },
      { setMirrorRoute: { name: 'mirror' } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setWeight: 30 },
      { pause: { duration: 60 } },
    ], { trafficRouting: { istio: {}, managedRoutes: [{ name: 'mirror' }] } }));
    expect(plan.steps[0].mirrorRoutes).toEqual(['mirror: 35% of method exact "GET" and path prefix "/api"']);
    expect(plan.steps[0].notes).toEqual(['canary scaled to 2 pods, not to its weight']);
    expect(plan.steps[1].mirrorRoutes).toEqual([]);
    expect(plan.steps[1].notes).toEqual([]);
    expect(plan.steps[1].actions).toEqual(['remove mirror route mirror', 'scale canary to match its weight', 'set weight 30%', 'pause 1m']);
  });

  test('experiments with a duration count; experiments without one and step plugins are unknown', () => {
    const plan = RolloutPlan.fromManifest(canary([
      { experiment: { duration: '10m', templates: [{ name: 'baseline', specRef: 'stable' }] } },
      { experiment: { templates: [{ name: 'baseline', specRef: 'stable' }] } },
      { plugin: { name: 'acme/smoke', config: {} } },
    ]));
    expect(plan.steps.map((s) => s.minimumSeconds)).toEqual([600, undefined, undefined, 0]);
    expect(plan.steps[0].actions).toEqual(['experiment baseline for 10m']);
    expect(plan.steps[2].notes).toEqual(['step plugin: its duration depends on the plugin (unknown)']);
    expect(plan.durationKnown).toBe(false);
    expect(plan.minimumDurationSeconds).toBe(600);
  });
});

describe('analysis durations', () => {
  const template = (name: string, metrics: any[], extra: any = {}) =>
    ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name }, spec: { metrics, ...extra } });
  const plan = (templates: any[], analysis: any = { templates: [{ templateName: 't' }] }) =>
    RolloutPlan.fromManifest(canary([{ analysis }]), { templates });

  test('initialDelay + (count - 1) x interval; the longest metric of the run decides', () => {
    const p = plan([template('t', [
      { name: 'a', initialDelay: '30s', interval: '1m', count: 3 },
      { name: 'b', interval: '10s', count: 20 },
    ])]);
    expect(p.steps[0].analysis?.checks.map((c) => c.minimumSeconds)).toEqual([150, 190]);
    expect(p.steps[0].minimumSeconds).toBe(190);
  });

  test('consecutiveSuccessLimit can end a metric before its count', () => {
    const p = plan([template('t', [{ name: 'a', interval: '1m', count: 10, consecutiveSuccessLimit: 3 }])]);
    expect(p.steps[0].minimumSeconds).toBe(120);
  });

  test('a metric with an interval and no count never ends: unknown, with a note naming it', () => {
    const p = plan([template('t', [{ name: 'forever', interval: '1m' }])]);
    expect(p.steps[0].minimumSeconds).toBeUndefined();
    expect(p.steps[0].notes).toEqual(['duration unknown: metric forever has no count (runs until stopped) or a templated timing']);
  });

  test('args from the rollout fill templated timings; an unresolved one is unknown', () => {
    const t = template('t', [{ name: 'a', interval: '{{args.every}}', count: '{{args.n}}' }], { args: [{ name: 'every' }, { name: 'n', value: '4' }] });
    expect(plan([t], { templates: [{ templateName: 't' }], args: [{ name: 'every', value: '2m' }] }).steps[0].minimumSeconds).toBe(360);
    expect(plan([t]).steps[0].minimumSeconds).toBeUndefined();
  });

  test('nested templates and ClusterAnalysisTemplates are resolved', () => {
    const cluster = { ...template('shared', [{ name: 'shared-metric', interval: '1m', count: 6 }]), kind: 'ClusterAnalysisTemplate' };
    const outer = template('t', [{ name: 'own' }], { templates: [{ templateName: 'shared', clusterScope: true }] });
    const p = plan([outer, cluster]);
    expect(p.steps[0].analysis?.checks.map((c) => [c.template, c.metric])).toEqual([['t', 'own'], ['shared', 'shared-metric']]);
    expect(p.steps[0].minimumSeconds).toBe(300);
    // An AnalysisTemplate of the same name is not a ClusterAnalysisTemplate.
    expect(plan([template('shared', [{ name: 'x' }])], { templates: [{ templateName: 'shared', clusterScope: true }] }).steps[0].analysis?.missingTemplates).toEqual(['shared']);
  });
});

describe('bad input', () => {
  test('not a Rollout', () => {
    const e = planError(() => RolloutPlan.fromManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }));
    expect(e.message).toBe('not a Rollout: expected apiVersion argoproj.io/v1alpha1, kind Rollout; got apps/v1 Deployment');
    expect(planError(() => RolloutPlan.fromManifest('hello')).message).toBe('not a Rollout: expected apiVersion argoproj.io/v1alpha1, kind Rollout; got "hello"');
  });

  test('no strategy, or both', () => {
    const none = canary([]);
    delete none.spec.strategy.canary;
    const e = planError(() => RolloutPlan.fromManifest(none));
    expect(e.message).toBe('Rollout "app": spec.strategy: Required value: exactly one of canary or blueGreen (allowed: a canary or a blueGreen strategy)');
    expect(e.path).toEqual(['spec', 'strategy']);
    const both = canary([], {});
    both.spec.strategy.blueGreen = { activeService: 'a' };
    expect(planError(() => RolloutPlan.fromManifest(both)).message).toContain('exactly one of canary or blueGreen');
  });

  test('an unparseable pause duration, with the controller text and the field path', () => {
    const e = planError(() => RolloutPlan.fromManifest(canary([{ setWeight: 5 }, { pause: { duration: '5 min' } }])));
    expect(e.message).toBe('Rollout "app": spec.strategy.canary.steps[1].pause.duration: Invalid value: "5 min": Duration needs to be greater than 0 (allowed: seconds, or a Go duration like "30s", "5m", "1h30m")');
    expect(e.path).toEqual(['spec', 'strategy', 'canary', 'steps', 1, 'pause', 'duration']);
  });

  test('a weight out of range, a step of two kinds, steps that are not a list', () => {
    expect(planError(() => RolloutPlan.fromManifest(canary([{ setWeight: 120 }]))).message)
      .toBe('Rollout "app": spec.strategy.canary.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100');
    expect(planError(() => RolloutPlan.fromManifest(canary([{ setWeight: 'ten' }]))).message).toContain('Invalid value: "ten": SetWeight needs to be between 0 and 100');
    expect(planError(() => RolloutPlan.fromManifest(canary([{ setWeight: 10, pause: {} }]))).message)
      .toBe('Rollout "app": spec.strategy.canary.steps[0]: Invalid value: {"setWeight":10,"pause":{}}: Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause');
    expect(planError(() => RolloutPlan.fromManifest(canary([{ wait: 10 }]))).path).toEqual(['spec', 'strategy', 'canary', 'steps', 0]);
    expect(planError(() => RolloutPlan.fromManifest(canary({ setWeight: 10 } as any))).message).toBe('Rollout "app": spec.strategy.canary.steps: must be a list of steps');
  });

  test('one bad Rollout among many fails the whole set', () => {
    expect(() => RolloutPlans.fromManifests([canary([{ pause: {} }]), canary([{ pause: { duration: 'soon' } }])])).toThrow(/Duration needs to be greater than 0/);
  });
});

test('construct built with typed steps: weights and a manual pause', () => {
  const chart = testChart();
  const rollout = new CanaryRollout(chart, 'web', {
    metadata: { name: 'web' },
    containers: [{ image: 'web:1', portNumber: 8080 }],
    maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    steps: [CanaryStep.weight(10), CanaryStep.pauseUntilPromoted(), CanaryStep.weight(60), CanaryStep.pause(Duration.seconds(90))],
  });
  const plan = RolloutPlan.fromRollout(rollout);
  expect(plan.steps.map((s) => [s.weight, s.manualPromotion, s.minimumSeconds])).toEqual([[10, true, 0], [60, false, 90], [100, false, 0]]);
  expect(plan.manualPromotions).toEqual([1]);
  expect(plan.name).toBe('web');
  for (const o of synth(chart)) expect(schemas.errors(o)).toEqual([]);
});
