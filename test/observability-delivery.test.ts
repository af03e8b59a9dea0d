import { ApiObject, Duration, Testing } from 'cdk8s';
import { AnalysisTemplate } from '../imports/argoproj.io';
import { ArgoCdApplication, CanaryRollout, RolloutServiceMonitor } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const NS = 'blog';

function rollout(chart = testChart(NS)): CanaryRollout {
  return new CanaryRollout(chart, 'backend', {
    metadata: { name: 'backend' },
    selectorLabels: { app: 'backend' },
    containers: [{ image: 'blog/backend:2.0.0', portNumber: 8000 }],
  });
}

function valid(objects: any[]): any[] {
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  return objects;
}

describe('RolloutServiceMonitor', () => {
  test('a headless Service over every pod of the rollout, and a ServiceMonitor on its metrics port', () => {
    const chart = testChart(NS);
    const r = rollout(chart);
    new RolloutServiceMonitor(chart, 'monitor', { rollout: r, metadata: { labels: { release: 'kube-prometheus-stack' } } });
    const objects = valid(synth(chart));
    const service = find(objects, 'Service', 'backend-metrics');
    expect(service.spec).toMatchObject({ clusterIP: 'None', selector: { app: 'backend' }, ports: [{ name: 'metrics', port: 8000, targetPort: 8000 }] });
    expect(service.metadata.labels).toEqual({ 'app': 'backend', 'rollouts.cdk8s.io/metrics-of': 'backend' });
    const monitor = find(objects, 'ServiceMonitor');
    expect(monitor.metadata).toMatchObject({ namespace: NS, labels: { release: 'kube-prometheus-stack' } });
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'rollouts.cdk8s.io/metrics-of': 'backend' } },
      podTargetLabels: ['rollouts-pod-template-hash'],
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
    });
    // the selector matches the metrics Service only, not the stable and canary Services (no double scrape)
    const selected = objects.filter((o) => o.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((o) => o.metadata.name)).toEqual(['backend-metrics']);
  });

  test('port, name, path and interval are configurable', () => {
    const chart = testChart(NS);
    const r = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [{ image: 'x', ports: [{ number: 8080 }, { number: 9090, name: 'prom' }] }] });
    new RolloutServiceMonitor(chart, 'monitor', { rollout: r, port: 9090, portName: 'prom', path: '/actuator/prometheus', interval: Duration.seconds(15) });
    const objects = valid(synth(chart));
    expect(find(objects, 'ServiceMonitor').spec.endpoints).toEqual([{ port: 'prom', path: '/actuator/prometheus', interval: '15s' }]);
    expect(find(objects, 'Service', 'api-metrics').spec.ports).toEqual([{ name: 'prom', port: 9090, targetPort: 9090 }]);
  });

  test('a port the containers do not declare fails synth', () => {
    const chart = testChart(NS);
    new RolloutServiceMonitor(chart, 'monitor', { rollout: rollout(chart), port: 9102 });
    expect(validationErrors(chart.node.root as any)).toEqual([
      expect.stringContaining('[test/monitor] port: spec.endpoints[0].port: port 9102 is not a container port of rollout backend (ports: 8000) (allowed: 8000)'),
    ]);
  });

  test.each([
    [{ portName: 'Metrics_Port' }, 'portName: spec.endpoints[0].port: Invalid value: "Metrics_Port": not an IANA service name'],
    [{ path: 'metrics' }, 'path: spec.endpoints[0].path: Invalid value: "metrics": not an absolute path'],
  ])('invalid %p', (props, message) => {
    const chart = testChart(NS);
    expect(constructionError(() => new RolloutServiceMonitor(chart, 'monitor', { rollout: rollout(chart), ...props }))).toContain(message);
  });
});

describe('ArgoCdApplication', () => {
  const app = { repoUrl: 'https://github.com/an0mium/aragora', path: 'dist/seed-000-aragora' };

  test('defaults: argocd namespace, HEAD, default project, in-cluster, automated prune and self-heal', () => {
    const chart = testChart('aragora');
    new ArgoCdApplication(chart, 'app', { ...app, metadata: { name: 'aragora-rollout' }, project: 'aragora' });
    const application = find(valid(synth(chart)), 'Application');
    expect(application.metadata).toEqual({ name: 'aragora-rollout', namespace: 'argocd' });
    expect(application.spec).toEqual({
      project: 'aragora',
      source: { repoURL: 'https://github.com/an0mium/aragora', path: 'dist/seed-000-aragora', targetRevision: 'HEAD' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'aragora' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ApplyOutOfSyncOnly=true'] },
    });
  });

  test('manual sync, sync options, other destination', () => {
    const chart = Testing.chart();
    new ArgoCdApplication(chart, 'app', { ...app, automated: false, syncOptions: ['ServerSideApply=true'], destinationNamespace: 'blog', destinationServer: 'https://prod.example:6443', targetRevision: 'v1.2.0' });
    const spec = find(valid(Testing.synth(chart)), 'Application').spec;
    expect(spec.syncPolicy).toEqual({ syncOptions: ['ServerSideApply=true', 'ApplyOutOfSyncOnly=true'] });
    expect(spec.destination).toEqual({ server: 'https://prod.example:6443', namespace: 'blog' });
    expect(spec.source.targetRevision).toBe('v1.2.0');
  });

  test('orderTemplatesFirst puts analysis templates in wave -1 and leaves the rollout in wave 0', () => {
    const chart = testChart(NS);
    rollout(chart);
    new ApiObject(chart, 'template', { ...AnalysisTemplate.GVK, metadata: { name: 'success-rate' }, spec: { metrics: [{ name: 'm', provider: { job: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } } } }] } });
    ArgoCdApplication.orderTemplatesFirst(chart);
    const objects = synth(chart);
    expect(find(objects, 'AnalysisTemplate').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1' });
    expect(find(objects, 'Rollout').metadata.annotations).toBeUndefined();
  });

  test.each([
    [{ repoUrl: 'github.com/x/y' }, 'repoUrl: spec.source.repoURL: Invalid value: "github.com/x/y": not a Git URL'],
    [{ repoUrl: 'https://bot:ghp_secret@github.com/x/y' }, 'repoUrl: spec.source.repoURL: the URL carries credentials; secrets are never written into manifests'],
    [{ path: '/dist/app' }, 'path: spec.source.path: Invalid value: "/dist/app": must be relative to the repository root, without ..'],
    [{ path: 'dist/../secrets' }, 'path: spec.source.path: Invalid value: "dist/../secrets"'],
    [{ automated: false, prune: true }, 'prune: spec.syncPolicy.automated: prune and selfHeal apply to automated sync only'],
  ])('invalid %p', (props, message) => {
    const error = constructionError(() => new ArgoCdApplication(testChart(NS), 'app', { ...app, ...props }));
    expect(error).toContain(`[test/app] ${message}`);
    expect(error).not.toContain('ghp_secret');
  });

  test('git@ and ssh URLs are accepted', () => {
    for (const repoUrl of ['git@github.com:an0mium/aragora.git', 'ssh://git@github.com/an0mium/aragora.git']) {
      const chart = testChart(NS);
      new ArgoCdApplication(chart, 'app', { ...app, repoUrl });
      expect(find(valid(synth(chart)), 'Application').spec.source.repoURL).toBe(repoUrl);
    }
  });
});
