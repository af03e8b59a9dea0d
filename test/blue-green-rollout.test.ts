import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisArgument, AnalysisTemplateRef, AntiAffinity, BlueGreenRollout, BlueGreenRolloutProps, PodTemplateHash,
} from '../src';
import { FakeTemplate } from './support/doubles';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const container = { image: 'myapp/api:2.0.0', portNumber: 8080 };

function rollout(props: Partial<BlueGreenRolloutProps> = {}, chart: Chart = testChart('prod')) {
  const r = new BlueGreenRollout(chart, 'api', { metadata: { name: 'myapp' }, containers: [container], ...props });
  return { chart, rollout: r };
}

function errorsOf(chart: Chart): string[] {
  return validationErrors(chart.node.root as App);
}

describe('BlueGreenRollout', () => {
  test('seed 004 blue-green: manual promotion, 5-minute rollback window, active and preview Services', () => {
    const { chart, rollout: r } = rollout({ replicas: 3, autoPromotionEnabled: false, scaleDownDelay: Duration.minutes(5) });
    const objects = synth(chart);
    const spec = find(objects, 'Rollout').spec;
    expect(spec.strategy).toEqual({
      blueGreen: { activeService: 'myapp-active', previewService: 'myapp-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 300 },
    });
    expect(spec.replicas).toBe(3);
    expect(spec.template.metadata.labels['app.kubernetes.io/name']).toBe('myapp');
    for (const name of ['myapp-active', 'myapp-preview']) {
      const service = find(objects, 'Service', name);
      expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'myapp' });
      expect(service.spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
      expect(service.metadata.namespace).toBe('prod');
    }
    expect(objects.map((o) => o.kind).sort()).toEqual(['Rollout', 'Service', 'Service']);
    expect(r.stableService).toBe(r.activeService);
    expect(r.canaryService).toBe(r.previewService);
    expect(r.trafficSplit).toBeUndefined();
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('every strategy field is rendered with the controller\'s names and units', () => {
    const { chart } = rollout({
      replicas: 4,
      autoPromotionEnabled: true,
      autoPromotionDelay: Duration.minutes(2),
      previewReplicaCount: 1,
      maxUnavailable: kplus.PercentOrAbsolute.percent(10),
      scaleDownDelay: Duration.minutes(10),
      scaleDownDelayRevisionLimit: 2,
      abortScaleDownDelay: Duration.seconds(0),
      activeMetadata: { labels: { role: 'active' } },
      previewMetadata: { labels: { role: 'preview' }, annotations: { 'example.com/preview': 'true' } },
      antiAffinity: AntiAffinity.preferred(50),
    });
    const objects = synth(chart);
    expect(find(objects, 'Rollout').spec.strategy.blueGreen).toEqual({
      activeService: 'myapp-active',
      previewService: 'myapp-preview',
      autoPromotionEnabled: true,
      autoPromotionSeconds: 120,
      previewReplicaCount: 1,
      maxUnavailable: '10%',
      scaleDownDelaySeconds: 600,
      scaleDownDelayRevisionLimit: 2,
      abortScaleDownDelaySeconds: 0,
      activeMetadata: { labels: { role: 'active' } },
      previewMetadata: { labels: { role: 'preview' }, annotations: { 'example.com/preview': 'true' } },
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } },
    });
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('pre- and post-promotion analysis with the templates\' own args and the user\'s', () => {
    const { chart } = rollout({
      prePromotionAnalysis: {
        templates: [AnalysisTemplateRef.fromName('smoke-tests', { requiredArgs: ['preview-url'] })],
        args: [AnalysisArgument.value('preview-url', 'http://myapp-preview.prod.svc:8080')],
      },
      postPromotionAnalysis: {
        templates: [new FakeTemplate('error-rate', ['canary-hash'])],
        dryRunMetrics: ['error-rate'],
      },
    });
    const objects = synth(chart);
    const bg = find(objects, 'Rollout').spec.strategy.blueGreen;
    expect(bg.prePromotionAnalysis).toEqual({
      templates: [{ templateName: 'smoke-tests' }],
      args: [{ name: 'preview-url', value: 'http://myapp-preview.prod.svc:8080' }],
    });
    expect(bg.postPromotionAnalysis).toEqual({
      templates: [{ templateName: 'error-rate' }],
      args: [AnalysisArgument.podTemplateHash('canary-hash', PodTemplateHash.LATEST).toJson()],
      dryRun: [{ metricName: 'error-rate' }],
    });
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('pre-promotion analysis: a missing arg and a metric that runs forever are synth errors naming the field', () => {
    const { chart } = rollout({
      prePromotionAnalysis: { templates: [AnalysisTemplateRef.fromName('smoke-tests', { requiredArgs: ['preview-url'] })] },
      postPromotionAnalysis: { templates: [new FakeTemplate('latency', [], ['latency'], ['latency'])] },
    });
    const errors = errorsOf(chart);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[test\/api\] spec\.strategy\.blueGreen\.prePromotionAnalysis: spec\.strategy\.blueGreen\.prePromotionAnalysis\.templates: Invalid value: "templateNames: \[smoke-tests\]": args\.preview-url was not resolved/),
      expect.stringContaining('spec.strategy.blueGreen.postPromotionAnalysis.templates: AnalysisTemplate latency has metric latency which runs indefinitely. Invalid value for count: 0'),
    ]));
  });

  test('preview Ingress routes the host to the preview Service, with TLS by Secret name', () => {
    const { chart, rollout: r } = rollout({
      previewIngress: {
        host: 'preview.myapp.example.com',
        className: 'nginx',
        tlsSecretName: 'myapp-preview-tls',
        annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' },
      },
    });
    const objects = synth(chart);
    const ingress = find(objects, 'Ingress', 'myapp-preview');
    expect(r.previewIngress).toBeDefined();
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' });
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules).toEqual([{
      host: 'preview.myapp.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'myapp-preview', port: { number: 8080 } } } }] },
    }]);
    expect(ingress.spec.tls).toEqual([{ hosts: ['preview.myapp.example.com'], secretName: 'myapp-preview-tls' }]);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('preview Ingress on a port the preview Service does not have is a construction error', () => {
    const message = constructionError(() => rollout({ previewIngress: { host: 'p.example.com', servicePort: 9090 } }));
    expect(message).toBe('[test/api] previewIngress.servicePort: spec.rules[0].http.paths[0].backend.service.port.number: Service "myapp-preview" has no port 9090 (allowed: one of 8080)');
  });

  test('supplied active and preview Services are used as they are', () => {
    const chart = testChart('prod');
    const selector = { 'app.kubernetes.io/name': 'myapp' };
    const active = new kplus.Service(chart, 'active', { metadata: { name: 'myapp' }, ports: [{ port: 80, targetPort: 8080 }] });
    const preview = new kplus.Service(chart, 'preview', { metadata: { name: 'myapp-next' }, ports: [{ port: 80, targetPort: 8080 }] });
    for (const s of [active, preview]) s.selectLabel('app.kubernetes.io/name', 'myapp');
    rollout({ activeService: active, previewService: preview, selectorLabels: selector }, chart);
    const objects = synth(chart);
    expect(find(objects, 'Rollout').spec.strategy.blueGreen).toMatchObject({ activeService: 'myapp', previewService: 'myapp-next' });
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['myapp', 'myapp-next']);
  });
});

describe('BlueGreenRollout errors', () => {
  test('rule 10 at construction: one Service for active and preview', () => {
    const chart = testChart('prod');
    const service = new kplus.Service(chart, 'svc', { metadata: { name: 'myapp' }, ports: [{ port: 8080 }] });
    const message = constructionError(() => rollout({ activeService: service, previewService: service }, chart));
    expect(message).toBe('[test/api] previewService: spec.strategy.activeService: Invalid value: "myapp": This rollout uses the same service for the active and preview services, but two different services are required. (allowed: two different Services)');
  });

  test('rule 10 at synth time: a spec patched to one Service', () => {
    const { chart, rollout: r } = rollout();
    ApiObject.of(r).addJsonPatch(JsonPatch.replace('/spec/strategy/blueGreen/previewService', 'myapp-active'));
    expect(errorsOf(chart)).toContain('[test/api] previewService: spec.strategy.activeService: Invalid value: "myapp-active": This rollout uses the same service for the active and preview services, but two different services are required. (allowed: two different Services)');
  });

  test('rule 11: scaleDownDelayRevisionLimit above revisionHistoryLimit (default 10, or the one set)', () => {
    expect(errorsOf(rollout({ scaleDownDelayRevisionLimit: 11 }).chart)).toEqual([
      '[test/api] scaleDownDelayRevisionLimit: spec.strategy.scaleDownDelayRevisionLimit: Invalid value: 11: This rollout\'s revision history limit can not be smaller than the rollout\'s scale down limit (allowed: at most revisionHistoryLimit (10))',
    ]);
    expect(errorsOf(rollout({ scaleDownDelayRevisionLimit: 3, revisionHistoryLimit: 2 }).chart)).toEqual([
      '[test/api] scaleDownDelayRevisionLimit: spec.strategy.scaleDownDelayRevisionLimit: Invalid value: 3: This rollout\'s revision history limit can not be smaller than the rollout\'s scale down limit (allowed: at most revisionHistoryLimit (2))',
    ]);
    expect(errorsOf(rollout({ scaleDownDelayRevisionLimit: 2, revisionHistoryLimit: 2 }).chart)).toEqual([]);
  });

  test('rules 12 and 35: anti-affinity weight outside 1-100', () => {
    for (const weight of [0, 101]) {
      expect(errorsOf(rollout({ antiAffinity: AntiAffinity.preferred(weight) }).chart)).toEqual([
        `[test/api] antiAffinity: spec.strategy.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight: Invalid value: ${weight}: AntiAffinity weight must be between 1-100 (allowed: a weight from 1 to 100)`,
      ]);
    }
    expect(errorsOf(rollout({ antiAffinity: AntiAffinity.required() }).chart)).toEqual([]);
  });

  test('rules 12 and 35: anti-affinity with both strategies (through a patch)', () => {
    const { chart, rollout: r } = rollout({ antiAffinity: AntiAffinity.required() });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/strategy/blueGreen/antiAffinity/preferredDuringSchedulingIgnoredDuringExecution', { weight: 10 }));
    expect(errorsOf(chart)).toEqual([
      '[test/api] antiAffinity: spec.strategy.antiAffinity: Invalid value: {"requiredDuringSchedulingIgnoredDuringExecution":{},"preferredDuringSchedulingIgnoredDuringExecution":{"weight":10}}: AntiAffinity must have exactly one strategy listed (allowed: exactly one of preferred, required)',
    ]);
  });

  test('rule 37: a supplied Service selecting a label the pods do not carry', () => {
    const chart = testChart('prod');
    const active = new kplus.Service(chart, 'active', { metadata: { name: 'myapp' }, ports: [{ port: 8080 }] });
    active.selectLabel('app', 'myapp');
    rollout({ activeService: active }, chart);
    const errors = errorsOf(chart);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[test\/api\] activeService: spec\.strategy\.blueGreen\.activeService: Invalid value: "myapp": Service "myapp" has unmatch label "app" in rollout \(allowed: a Service whose selector uses only the pod labels \{"app.kubernetes.io\/name":"myapp"}\)$/);
  });

  test('rule 38: a Service managed by another Rollout', () => {
    const chart = testChart('prod');
    const preview = new kplus.Service(chart, 'preview', {
      metadata: { name: 'other-preview', annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'other' } }, ports: [{ port: 8080 }],
    });
    preview.selectLabel('app.kubernetes.io/name', 'myapp');
    rollout({ previewService: preview }, chart);
    expect(errorsOf(chart)).toEqual([
      '[test/api] previewService: spec.strategy.blueGreen.previewService: Invalid value: "other-preview": Service "other-preview" is managed by another Rollout (allowed: a Service not managed by another Rollout (it names "other"))',
    ]);
  });

  test('ephemeral active/preview labels must not be selector labels', () => {
    expect(errorsOf(rollout({ previewMetadata: { labels: { 'app.kubernetes.io/name': 'x' } } }).chart)).toEqual([
      '[test/api] previewMetadata: spec.strategy.previewMetadata.labels: ephemeral label "app.kubernetes.io/name" is also a selector label: Services and the Rollout selector would match one version only (allowed: labels other than app.kubernetes.io/name)',
    ]);
  });

  test('autoPromotionDelay without automatic promotion is a construction error', () => {
    expect(constructionError(() => rollout({ autoPromotionEnabled: false, autoPromotionDelay: Duration.minutes(1) }))).toBe(
      '[test/api] autoPromotionDelay: spec.strategy.blueGreen.autoPromotionSeconds: autoPromotionSeconds is ignored when autoPromotionEnabled is false (allowed: autoPromotionDelay with automatic promotion only)');
  });

  test('previewReplicaCount must be a positive integer', () => {
    for (const count of [0, 1.5]) {
      expect(constructionError(() => rollout({ previewReplicaCount: count }))).toBe(
        `[test/api] previewReplicaCount: spec.strategy.blueGreen.previewReplicaCount: Invalid value: ${count}: the preview needs at least one pod to be tested and analysed (allowed: an integer >= 1)`);
    }
  });

  test('output is deterministic', () => {
    const render = () => JSON.stringify(synth(rollout({ prePromotionAnalysis: { templates: [new FakeTemplate('smoke')] }, previewIngress: { host: 'p.example.com' } }).chart));
    expect(render()).toBe(render());
  });
});
