import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisArgument, AnalysisTemplateRef, AntiAffinity, CanaryRollout, CanaryRolloutProps, CanaryStep, CanarySteps, StringMatch,
} from '../src';
import { FakeTemplate, FixedTrafficSplit } from './support/doubles';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const container = { image: 'hmco/portal-services:1.0.1', portNumber: 8080 };

function rollout(props: Partial<CanaryRolloutProps> = {}, chart: Chart = testChart('data-platform')) {
  const r = new CanaryRollout(chart, 'portal', { metadata: { name: 'portal-services' }, containers: [container], ...props });
  return { chart, rollout: r };
}

function spec(chart: Chart) {
  return find(synth(chart), 'Rollout').spec;
}

/** Synth-time errors of a chart's app. */
function errorsOf(chart: Chart): string[] {
  return validationErrors(chart.node.root as App);
}

const nginx = () => new FixedTrafficSplit({ nginx: { stableIngress: 'portal-services-stable' } });
const istio = () => new FixedTrafficSplit({ istio: { virtualService: { name: 'portal', routes: ['primary'] } } });

describe('the Rollout', () => {
  test('seed 001: weights 20/40/60/80 with 2-minute pauses, maxSurge 25%, maxUnavailable 0', () => {
    const { chart } = rollout({
      replicas: 3,
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      steps: CanarySteps.progressive({ weights: [20, 40, 60, 80], pause: Duration.minutes(2) }),
    });
    const objects = synth(chart);
    const r = find(objects, 'Rollout');
    expect(r.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(r.metadata).toEqual({ name: 'portal-services', namespace: 'data-platform' });
    expect(r.spec.replicas).toBe(3);
    expect(r.spec.strategy.canary.maxSurge).toBe('25%');
    expect(r.spec.strategy.canary.maxUnavailable).toBe(0);
    expect(r.spec.strategy.canary.steps).toEqual([
      { setWeight: 20 }, { pause: { duration: '2m' } }, { setWeight: 40 }, { pause: { duration: '2m' } },
      { setWeight: 60 }, { pause: { duration: '2m' } }, { setWeight: 80 }, { pause: { duration: '2m' } },
    ]);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Rollout', 'Service', 'Service']);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('keeps cdk8s-plus secure pod defaults and resource limits', () => {
    const { chart } = rollout();
    const pod = spec(chart).template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false });
    expect(c.resources.limits).toEqual({ cpu: '1500m', memory: '2048Mi' });
  });

  test('pod template from cdk8s-plus: env, probes, volumes, resources', () => {
    const chart = testChart();
    const r = new CanaryRollout(chart, 'api', {
      containers: [{
        name: 'api',
        image: 'api:1',
        portNumber: 8080,
        envVariables: { LOG_LEVEL: kplus.EnvValue.fromValue('info') },
        readiness: kplus.Probe.fromHttpGet('/health'),
        resources: { cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) } },
      }],
    });
    r.addVolume(kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp'));
    r.containers[0].mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'scratch', 'scratch'));
    const objects = synth(chart);
    const pod = find(objects, 'Rollout').spec.template.spec;
    expect(pod.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/health', port: 8080, scheme: 'HTTP' });
    expect(pod.containers[0].resources.limits.cpu).toBe('500m');
    expect(pod.volumes.map((v: any) => v.name).sort()).toEqual(['scratch', 'tmp']);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('selector labels are on the pods and in both Services, default app.kubernetes.io/name', () => {
    const { chart } = rollout();
    const objects = synth(chart);
    const r = find(objects, 'Rollout');
    expect(r.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'portal-services' } });
    expect(r.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'portal-services' });
    for (const name of ['portal-services-stable', 'portal-services-canary']) {
      const svc = find(objects, 'Service', name);
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'portal-services' });
      expect(svc.spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
      expect(svc.metadata.namespace).toBe('data-platform');
    }
    expect(r.spec.strategy.canary.stableService).toBe('portal-services-stable');
    expect(r.spec.strategy.canary.canaryService).toBe('portal-services-canary');
  });

  test('custom selector labels and service ports', () => {
    const { chart } = rollout({
      selectorLabels: { app: 'portal', tier: 'api' },
      servicePorts: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    const objects = synth(chart);
    expect(find(objects, 'Rollout').spec.selector.matchLabels).toEqual({ app: 'portal', tier: 'api' });
    expect(find(objects, 'Service', 'portal-services-stable').spec).toMatchObject({
      selector: { app: 'portal', tier: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
  });

  test('user-supplied Services are used instead of generated ones', () => {
    const chart = testChart();
    const stable = new kplus.Service(chart, 'stable', { metadata: { name: 'web-stable' }, ports: [{ port: 80, targetPort: 8080 }] });
    stable.selectLabel('app.kubernetes.io/name', 'web');
    const canary = new kplus.Service(chart, 'canary', { metadata: { name: 'web-canary' }, ports: [{ port: 80, targetPort: 8080 }] });
    canary.selectLabel('app.kubernetes.io/name', 'web');
    new CanaryRollout(chart, 'web', { metadata: { name: 'web' }, containers: [container], stableService: stable, canaryService: canary });
    const objects = synth(chart);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['web-canary', 'web-stable']);
    expect(find(objects, 'Rollout').spec.strategy.canary).toMatchObject({ stableService: 'web-stable', canaryService: 'web-canary' });
  });

  test('deadlines, history and delays', () => {
    const { chart } = rollout({
      minReady: Duration.seconds(10),
      progressDeadline: Duration.minutes(5),
      revisionHistoryLimit: 3,
      trafficSplit: nginx(),
      scaleDownDelay: Duration.seconds(60),
      abortScaleDownDelay: Duration.seconds(0),
      minPodsPerReplicaSet: 2,
    });
    const s = spec(chart);
    expect(s).toMatchObject({ minReadySeconds: 10, progressDeadlineSeconds: 300, progressDeadlineAbort: true, revisionHistoryLimit: 3 });
    expect(s.strategy.canary).toMatchObject({ scaleDownDelaySeconds: 60, abortScaleDownDelaySeconds: 0, minPodsPerReplicaSet: 2 });
  });

  test('progressDeadlineAbort can be turned off', () => {
    const { chart } = rollout({ progressDeadlineAbort: false });
    expect(spec(chart).progressDeadlineAbort).toBeUndefined();
  });

  test('ephemeral canary/stable metadata and anti-affinity', () => {
    const { chart } = rollout({
      canaryMetadata: { labels: { role: 'canary' } },
      stableMetadata: { labels: { role: 'stable' }, annotations: { note: 'x' } },
      antiAffinity: AntiAffinity.preferred(50),
    });
    expect(spec(chart).strategy.canary).toMatchObject({
      canaryMetadata: { labels: { role: 'canary' } },
      stableMetadata: { labels: { role: 'stable' }, annotations: { note: 'x' } },
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } },
    });
  });

  test('every step kind', () => {
    const template = new FakeTemplate('smoke');
    const { chart } = rollout({
      trafficSplit: istio(),
      steps: [
        CanaryStep.weight(5),
        CanaryStep.pause(Duration.seconds(90)),
        CanaryStep.pauseUntilPromoted(),
        CanaryStep.analysis({ templates: [template] }),
        CanaryStep.canaryScaleReplicas(2),
        CanaryStep.canaryScaleWeight(30),
        CanaryStep.matchTrafficWeight(),
        CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] }),
        CanaryStep.mirrorRoute({ name: 'mirror', percentage: 10, match: [{ method: StringMatch.exact('GET'), path: StringMatch.prefix('/api') }] }),
        CanaryStep.removeMirrorRoute('mirror'),
        CanaryStep.removeHeaderRoute('x-canary'),
        CanaryStep.pause(Duration.hours(1)),
      ],
    });
    const s = spec(chart);
    expect(s.strategy.canary.steps).toEqual([
      { setWeight: 5 },
      { pause: { duration: '90s' } },
      { pause: {} },
      { analysis: { templates: [{ templateName: 'smoke' }], args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] } },
      { setCanaryScale: { replicas: 2 } },
      { setCanaryScale: { weight: 30 } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setHeaderRoute: { name: 'x-canary', match: [{ headerName: 'X-Canary', headerValue: { exact: 'true' } }] } },
      { setMirrorRoute: { name: 'mirror', percentage: 10, match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }] } },
      { setMirrorRoute: { name: 'mirror' } },
      { setHeaderRoute: { name: 'x-canary' } },
      { pause: { duration: '1h' } },
    ]);
    // managedRoutes come from the steps, in order of first use.
    expect(s.strategy.canary.trafficRouting.managedRoutes).toEqual([{ name: 'x-canary' }, { name: 'mirror' }]);
    expect(schemas.errors(find(synth(chart), 'Rollout'))).toEqual([]);
  });

  test('a mirror route without match mirrors every request (the controller removes a route without match)', () => {
    const { chart } = rollout({ trafficSplit: istio(), steps: [CanaryStep.mirrorRoute({ name: 'all', percentage: 5 })] });
    expect(spec(chart).strategy.canary.steps[0]).toEqual({ setMirrorRoute: { name: 'all', percentage: 5, match: [{ path: { prefix: '/' } }] } });
  });

  test('the traffic split is bound once, to the rollout and its Services', () => {
    const split = nginx();
    const { chart, rollout: r } = rollout({ trafficSplit: split });
    expect(split.target?.rollout).toBe(r);
    expect(split.target?.stableService).toBe(r.stableService);
    expect(split.target?.canaryService).toBe(r.canaryService);
    expect(spec(chart).strategy.canary.trafficRouting).toEqual({ nginx: { stableIngress: 'portal-services-stable' } });
  });

  test('background analysis: templates, supplied and user args, starting step, dry run', () => {
    const { chart } = rollout({
      backgroundAnalysis: {
        templates: [new FakeTemplate('success-rate', ['service-name']), AnalysisTemplateRef.fromName('shared', { clusterScope: true })],
        args: [AnalysisArgument.value('service-name', 'portal-services'), AnalysisArgument.fieldRef('env', "metadata.labels['env']")],
        startingStep: 2,
        dryRunMetrics: ['latency'],
        analysisRunLabels: { team: 'data' },
      },
    });
    expect(spec(chart).strategy.canary.analysis).toEqual({
      templates: [{ templateName: 'success-rate' }, { templateName: 'shared', clusterScope: true }],
      args: [
        { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 'service-name', value: 'portal-services' },
        { name: 'env', valueFrom: { fieldRef: { fieldPath: "metadata.labels['env']" } } },
      ],
      startingStep: 2,
      dryRun: [{ metricName: 'latency' }],
      analysisRunMetadata: { labels: { team: 'data' } },
    });
  });

  test.each([
    ['after the first weight step', [CanaryStep.pause(Duration.minutes(1)), CanaryStep.weight(5), CanaryStep.pause(Duration.minutes(5)), CanaryStep.weight(50)], 2],
    ['at the weight step when it is the last', [CanaryStep.pause(Duration.minutes(1)), CanaryStep.weight(5)], 1],
    ['the controller\'s 0 without weight steps', [CanaryStep.pause(Duration.minutes(1))], undefined],
    ['the controller\'s 0 without steps', [], undefined],
  ])('background analysis starts by default %s', (_name, steps, expected) => {
    const { chart } = rollout({ steps: steps as CanaryStep[], backgroundAnalysis: { templates: [new FakeTemplate('success-rate')] } });
    expect(spec(chart).strategy.canary.analysis.startingStep).toBe(expected);
  });

  test('an explicit startingStep 0 is kept', () => {
    const { chart } = rollout({ steps: CanarySteps.progressive(), backgroundAnalysis: { templates: [new FakeTemplate('success-rate')], startingStep: 0 } });
    expect(spec(chart).strategy.canary.analysis.startingStep).toBe(0);
  });

  test('an HPA whose scaleTargetRef is the Rollout; replicas left to the HPA', () => {
    const autoscaling = { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 70, targetMemoryUtilizationPercent: 80 };
    const { chart } = rollout({ autoscaling });
    const objects = synth(chart);
    const hpa = find(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'portal-services' });
    expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 10 });
    expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 80]]);
    expect(find(objects, 'Rollout').spec.replicas).toBeUndefined();
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('deterministic: two synths give byte-identical YAML', () => {
    const build = () => {
      const { chart } = rollout({ steps: CanarySteps.progressive(), autoscaling: { maxReplicas: 5 }, trafficSplit: istio() });
      return Yaml.stringify(...Testing.synth(chart));
    };
    expect(build()).toEqual(build());
  });

  test('CanarySteps.progressive defaults to 10/25/50 with 5-minute pauses, with optional analysis steps', () => {
    const steps = CanarySteps.progressive({ analysis: { templates: [new FakeTemplate('t')] } });
    expect(steps.map((s) => s.kind)).toEqual(['setWeight', 'pause', 'analysis', 'setWeight', 'pause', 'analysis', 'setWeight', 'pause', 'analysis']);
    const { chart } = rollout({ steps: CanarySteps.progressive() });
    expect(spec(chart).strategy.canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([10, 25, 50]);
    expect(spec(chart).strategy.canary.steps[1]).toEqual({ pause: { duration: '5m' } });
  });

  test('CanarySteps.progressive takes one pause per weight (seed 000: 5/20/50/80 after 2/5/5/5 minutes)', () => {
    const { chart } = rollout({
      steps: CanarySteps.progressive({ weights: [5, 20, 50, 80], pauses: [2, 5, 5, 5].map((m) => Duration.minutes(m)) }),
    });
    expect(spec(chart).strategy.canary.steps).toEqual([
      { setWeight: 5 }, { pause: { duration: '2m' } }, { setWeight: 20 }, { pause: { duration: '5m' } },
      { setWeight: 50 }, { pause: { duration: '5m' } }, { setWeight: 80 }, { pause: { duration: '5m' } },
    ]);
    expect(() => CanarySteps.progressive({ weights: [5, 20], pauses: [Duration.minutes(2)] }))
      .toThrow('CanarySteps.progressive: pauses: 1 pause(s) for 2 weight(s) (allowed: one pause per weight)');
  });
});

describe('section A rules (controller spec validation) at synth time', () => {
  const expectError = (chart: Chart, ...parts: string[]) => {
    const errors = errorsOf(chart);
    const match = errors.find((e) => parts.every((p) => e.includes(p)));
    if (!match) throw new Error(`no error containing ${JSON.stringify(parts)} in:\n${errors.join('\n')}`);
    expect(match.startsWith('[test/portal]')).toBe(true);
    expect(match).toContain('(allowed: ');
  };

  test('1: replicas must be >= 0', () => {
    expectError(rollout({ replicas: -1 }).chart, 'replicas: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
  test('5: selector must match template labels (even after a JSON patch)', () => {
    const { chart, rollout: r } = rollout();
    ApiObject.of(r).addJsonPatch(JsonPatch.replace('/spec/template/metadata/labels/app.kubernetes.io~1name', 'other'));
    expectError(chart, 'podMetadata', '`selector` does not match template `labels`');
  });
  test('6: minReady and revisionHistoryLimit must be >= 0', () => {
    expectError(rollout({ revisionHistoryLimit: -1 }).chart, 'revisionHistoryLimit: spec.revisionHistoryLimit: Invalid value: -1');
  });
  test('7: progressDeadline must be greater than minReady', () => {
    expectError(rollout({ minReady: Duration.minutes(10), progressDeadline: Duration.minutes(5) }).chart,
      'progressDeadline: spec.progressDeadlineSeconds: Invalid value: 300: must be greater than minReadySeconds', 'more than minReady (600s)');
  });
  test('13: maxSurge and maxUnavailable cannot both be zero', () => {
    expectError(rollout({ maxSurge: kplus.PercentOrAbsolute.percent(0), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }).chart,
      'maxSurge: spec.strategy.maxSurge: Invalid value: "0%": MaxSurge and MaxUnavailable both can not be zero');
  });
  test('14: stable and canary Services must differ', () => {
    const chart = testChart();
    const svc = new kplus.Service(chart, 'svc', { ports: [{ port: 80 }] });
    const message = constructionError(() => new CanaryRollout(chart, 'portal', { containers: [container], stableService: svc, canaryService: svc }));
    expect(message).toContain('[test/portal] canaryService: spec.strategy.stableService: This rollout uses the same service for the stable and canary services, but two different services are required.');
  });
  test('19: traffic routing needs both Services (reachable through a JSON patch)', () => {
    const { chart, rollout: r } = rollout({ trafficSplit: nginx() });
    ApiObject.of(r).addJsonPatch(JsonPatch.remove('/spec/strategy/canary/stableService'));
    expectError(chart, 'stableService: spec.strategy.stableService', 'Canary service and Stable service must to be set to use Traffic Routing');
  });
  test('20: scaleDownDelay needs traffic routing', () => {
    expectError(rollout({ scaleDownDelay: Duration.seconds(30) }).chart, 'scaleDownDelay', 'Canary scaleDownDelaySeconds can only be used with traffic routing', 'trafficSplit');
  });
  test('21: dynamicStableScale needs traffic routing', () => {
    expectError(rollout({ dynamicStableScale: true }).chart, 'dynamicStableScale', 'Canary dynamicStableScale can only be used with traffic routing');
  });
  test('22: dynamicStableScale cannot be used with scaleDownDelay', () => {
    expectError(rollout({ trafficSplit: nginx(), dynamicStableScale: true, scaleDownDelay: Duration.seconds(30) }).chart,
      'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds');
  });
  test('23: maxTrafficWeight only with nginx or plugins', () => {
    const split = new FixedTrafficSplit({ istio: { virtualService: { name: 'vs' } }, maxTrafficWeight: 50 });
    expectError(rollout({ trafficSplit: split }).chart, 'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins');
  });
  test('24: one step kind per step (reachable through a JSON patch)', () => {
    const { chart, rollout: r } = rollout({ steps: [CanaryStep.weight(10)] });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/strategy/canary/steps/0/pause', {}));
    expectError(chart, 'steps[0]', 'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause');
  });
  test('26: weight between 0 and the max traffic weight', () => {
    expectError(rollout({ steps: [CanaryStep.weight(120)] }).chart, 'steps[0]: spec.strategy.steps[0].setWeight: Invalid value: 120: SetWeight needs to be between 0 and 100');
    const split = new FixedTrafficSplit({ nginx: { stableIngress: 'x' }, maxTrafficWeight: 50 });
    expectError(rollout({ trafficSplit: split, steps: [CanaryStep.weight(60)] }).chart, 'SetWeight needs to be between 0 and 50');
  });
  test('27: pause duration must parse (cdk8s Duration cannot be negative; a JSON patch can break it)', () => {
    expect(() => CanaryStep.pause(Duration.seconds(-5))).toThrow(/cannot be negative/);
    const { chart, rollout: r } = rollout({ steps: [CanaryStep.pause(Duration.minutes(1))] });
    ApiObject.of(r).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/steps/0/pause/duration', '10x'));
    expectError(chart, 'spec.strategy.steps[0].pause.duration: Invalid value: "10x": Duration needs to be greater than 0');
  });
  test('28: canary scale needs traffic routing', () => {
    expectError(rollout({ steps: [CanaryStep.canaryScaleReplicas(1)] }).chart, 'SetCanaryScale requires TrafficRouting to be set');
  });
  test('29: header routes need Istio, ALB, Apisix or a plugin (nginx uses its header canary)', () => {
    const steps = [CanaryStep.headerRoute({ name: 'h', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] })];
    expectError(rollout({ steps, trafficSplit: nginx() }).chart, 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix', 'nginx: use its header canary option');
    expectError(rollout({ steps }).chart, 'SetHeaderRoute requires TrafficRouting');
  });
  test('29: header match values need exactly one of exact, prefix, regex (JSON patch)', () => {
    const { chart, rollout: r } = rollout({ trafficSplit: istio(), steps: [CanaryStep.headerRoute({ name: 'h', match: [{ name: 'X', value: StringMatch.exact('a') }] })] });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/strategy/canary/steps/0/setHeaderRoute/match/0/headerValue/regex', 'b.*'));
    expectError(chart, 'StringMatch match value must have exactly one of the following: exact, regex, prefix');
  });
  test('30: mirror routes need Istio or a plugin', () => {
    expectError(rollout({ trafficSplit: nginx(), steps: [CanaryStep.mirrorRoute({ name: 'm', percentage: 5 })] }).chart,
      'SetMirrorRoute requires TrafficRouting, supports Istio only');
  });
  test('31, 32: route steps need managedRoutes listing them (JSON patch)', () => {
    const steps = [CanaryStep.headerRoute({ name: 'h', match: [{ name: 'X', value: StringMatch.exact('a') }] })];
    const a = rollout({ trafficSplit: istio(), steps });
    ApiObject.of(a.rollout).addJsonPatch(JsonPatch.remove('/spec/strategy/canary/trafficRouting/managedRoutes'));
    expectError(a.chart, "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'");
    const b = rollout({ trafficSplit: istio(), steps });
    ApiObject.of(b.rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/managedRoutes', [{ name: 'other' }]));
    expectError(b.chart, 'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes');
  });
  test('33: experiment template weight needs SMI, ALB, Istio or plugins (JSON patch)', () => {
    const { chart, rollout: r } = rollout({ steps: [CanaryStep.weight(10)] });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/strategy/canary/steps/-', { experiment: { templates: [{ name: 'a', specRef: 'canary', weight: 10 }] } }));
    expectError(chart, 'Experiment template weight cannot be set unless TrafficRouting is enabled');
  });
  test('34: analysis args must use downward-API metadata paths', () => {
    const steps = [CanaryStep.analysis({ templates: [new FakeTemplate('t')], args: [AnalysisArgument.fieldRef('app', "metadata.label['app']")] })];
    expectError(rollout({ steps }).chart, 'spec.strategy.steps[0].analyses', 'Analyses arguments must refer to valid object metadata supported by downwardAPI');
  });
  test('35: anti-affinity weight from 1 to 100', () => {
    expectError(rollout({ antiAffinity: AntiAffinity.preferred(0) }).chart, 'antiAffinity', 'AntiAffinity weight must be between 1-100');
  });
  test('selector labels: never empty, never the controller hash label', () => {
    expect(constructionError(() => rollout({ selectorLabels: {} }))).toContain('[test/portal] selectorLabels: spec.selector');
    expect(constructionError(() => rollout({ selectorLabels: { 'rollouts-pod-template-hash': 'x' } }))).toContain("owns the label 'rollouts-pod-template-hash'");
  });
  test('ephemeral labels must not be selector labels', () => {
    expectError(rollout({ canaryMetadata: { labels: { 'app.kubernetes.io/name': 'x' } } }).chart, 'canaryMetadata', 'is also a selector label');
  });
  test('a container without a port cannot get a Service', () => {
    const chart = testChart();
    expect(constructionError(() => new CanaryRollout(chart, 'portal', { containers: [{ image: 'x' }] })))
      .toContain('[test/portal] containers: spec.template.spec.containers[].ports: cannot create Service');
  });
});

describe('section B rules (referenced objects) at synth time', () => {
  test('37: a supplied Service selecting a label the pods lack', () => {
    const chart = testChart();
    const stable = new kplus.Service(chart, 'stable', { metadata: { name: 'web-stable' }, ports: [{ port: 80 }] });
    stable.selectLabel('app', 'web');
    new CanaryRollout(chart, 'portal', { metadata: { name: 'web' }, containers: [container], stableService: stable });
    expect(errorsOf(chart)).toContainEqual(expect.stringContaining('stableService: spec.strategy.canary.stableService: Invalid value: "web-stable": Service "web-stable" has unmatch label "app" in rollout'));
  });
  test('38: a Service managed by another Rollout', () => {
    const chart = testChart();
    const canary = new kplus.Service(chart, 'canary', { metadata: { name: 'web-canary', annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'other' } }, ports: [{ port: 80 }] });
    canary.selectLabel('app.kubernetes.io/name', 'web');
    new CanaryRollout(chart, 'portal', { metadata: { name: 'web' }, containers: [container], canaryService: canary });
    expect(errorsOf(chart)).toContainEqual(expect.stringContaining('Service "web-canary" is managed by another Rollout'));
  });
  test('40: a required template argument that nobody supplies', () => {
    const { chart } = rollout({ backgroundAnalysis: { templates: [new FakeTemplate('success-rate', ['service-name'])] } });
    expect(errorsOf(chart)).toContainEqual(expect.stringContaining('spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [success-rate]": args.service-name was not resolved'));
  });
  test('40: one argument with two values', () => {
    const steps = [CanaryStep.analysis({ templates: [new FakeTemplate('t')], args: [AnalysisArgument.value('canary-hash', 'abc')] })];
    expect(errorsOf(rollout({ steps }).chart)).toContainEqual(expect.stringContaining("Argument `canary-hash` specified multiple times with different values: '{\"podTemplateHashValue\":\"Latest\"}', 'abc'"));
  });
  test('40: two templates with the same metric name', () => {
    const steps = [CanaryStep.analysis({ templates: [new FakeTemplate('a', [], ['error-rate']), new FakeTemplate('b', [], ['error-rate'])] })];
    expect(errorsOf(rollout({ steps }).chart)).toContainEqual(expect.stringContaining("two metrics have the same name 'error-rate'"));
  });
  test('41: metrics that run forever are only allowed in background analysis', () => {
    const template = new FakeTemplate('bg', [], ['rate'], ['rate']);
    expect(errorsOf(rollout({ steps: [CanaryStep.analysis({ templates: [template] })] }).chart))
      .toContainEqual(expect.stringContaining('AnalysisTemplate bg has metric rate which runs indefinitely'));
    expect(errorsOf(rollout({ backgroundAnalysis: { templates: [template] } }).chart)).toEqual([]);
  });
});

test('nothing is written when validation fails', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'test');
  new CanaryRollout(chart, 'portal', { containers: [container], steps: [CanaryStep.weight(120)] });
  expect(() => app.synth()).toThrow(/SetWeight needs to be between 0 and 100/);
  expect(fs.readdirSync(outdir)).toEqual([]);
});
