import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Size, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import {
  ControllerLogFormat, ControllerLogLevel, ControllerManifests, ControllerSizing, RolloutsController, RolloutsControllerProps,
} from '../src';
import { constructionError, find, schemas, synth, validationErrors } from './support/synth';

const release = YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, '..', 'imports', 'argo-rollouts', 'install.yaml'), 'utf8')).map((d) => d.toJSON());
const CLUSTER_SCOPED = ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];

function controllerChart(props: Partial<RolloutsControllerProps> = {}, namespace: string | undefined = 'argo-rollouts'): Chart {
  const chart = new Chart(Testing.app(), 'argo-rollouts', { namespace });
  new RolloutsController(chart, 'controller', { manifests: ControllerManifests.bundled(), ...props });
  return chart;
}

function container(objects: any[]): any {
  return find(objects, 'Deployment', 'argo-rollouts').spec.template.spec.containers[0];
}

describe('RolloutsController: the release install', () => {
  const objects = synth(controllerChart());

  test('every object of install.yaml and the notification ConfigMap, plus a ServiceMonitor', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      ...release.map((o) => `${o.kind}/${o.metadata.name}`),
      'ConfigMap/argo-rollouts-notification-configmap',
      'ServiceMonitor/argo-rollouts',
    ]);
  });

  test('CRDs and cluster roles pass through unchanged, without a namespace', () => {
    for (const source of release.filter((o) => CLUSTER_SCOPED.includes(o.kind) && o.kind !== 'ClusterRoleBinding')) {
      expect(find(objects, source.kind, source.metadata.name)).toEqual(source);
    }
    const aggregated = ['admin', 'edit', 'view'].map((r) => find(objects, 'ClusterRole', `argo-rollouts-aggregate-to-${r}`));
    expect(aggregated.map((r) => r.metadata.labels[`rbac.authorization.k8s.io/aggregate-to-${['admin', 'edit', 'view'][aggregated.indexOf(r)]}`])).toEqual(['true', 'true', 'true']);
  });

  test('namespaced objects are in the controller namespace; the binding names its ServiceAccount there', () => {
    for (const o of objects.filter((x) => !CLUSTER_SCOPED.includes(x.kind))) expect(o.metadata.namespace).toBe('argo-rollouts');
    expect(find(objects, 'ClusterRoleBinding', 'argo-rollouts').subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-rollouts', namespace: 'argo-rollouts' }]);
    expect(find(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('argo-rollouts');
  });

  test('the image is pinned to the release, not latest; the release security context is kept', () => {
    const c = container(objects);
    expect(c.image).toBe('quay.io/argoproj/argo-rollouts:v1.9.1');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(find(objects, 'Deployment').spec.template.spec.securityContext).toEqual({ runAsNonRoot: true });
    expect(c.args).toBeUndefined();
    expect(find(objects, 'Deployment').spec.replicas).toBe(1);
  });

  test('default sizing is for 100 rollouts, over the release ephemeral-storage limit', () => {
    expect(container(objects).resources).toEqual({
      requests: { cpu: '100m', memory: '250Mi' },
      limits: { 'cpu': '200m', 'ephemeral-storage': '1Gi', 'memory': '500Mi' },
    });
  });

  test('ServiceMonitor selects the metrics Service by its labels and port', () => {
    const service = find(objects, 'Service', 'argo-rollouts-metrics');
    const monitor = find(objects, 'ServiceMonitor', 'argo-rollouts');
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/component': 'server', 'app.kubernetes.io/name': 'argo-rollouts-metrics', 'app.kubernetes.io/part-of': 'argo-rollouts' });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics' }]);
    expect(service.spec.ports.map((p: any) => p.name)).toContain('metrics');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['argo-rollouts'] });
  });

  test('every object validates against its schema (CRDs excepted: no schema)', () => {
    for (const o of objects.filter((x) => x.kind !== 'CustomResourceDefinition')) expect(schemas.errors(o)).toEqual([]);
  });

  test('deterministic', () => {
    expect(synth(controllerChart())).toEqual(objects);
  });
});

describe('RolloutsController: sizing (seed 004: about 50 MB + 2 MB per rollout)', () => {
  test.each([
    [0, '100m', '200m', '50Mi', '100Mi'],
    [100, '100m', '200m', '250Mi', '500Mi'],
    [1000, '500m', '1000m', '2050Mi', '4100Mi'],
    [3001, '1501m', '3002m', '6052Mi', '12104Mi'],
  ])('%d rollouts', (rollouts, cpuRequest, cpuLimit, memoryRequest, memoryLimit) => {
    const resources = container(synth(controllerChart({ sizing: ControllerSizing.forRollouts(rollouts) }))).resources;
    expect(resources.requests).toEqual({ cpu: cpuRequest, memory: memoryRequest });
    expect(resources.limits).toEqual({ 'cpu': cpuLimit, 'ephemeral-storage': '1Gi', 'memory': memoryLimit });
  });

  test('explicit resources', () => {
    const resources = container(synth(controllerChart({
      sizing: ControllerSizing.of({
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.units(1) },
        memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) },
      }),
    }))).resources;
    expect(resources).toEqual({ requests: { cpu: '500m', memory: '2048Mi' }, limits: { 'cpu': '1', 'ephemeral-storage': '1Gi', 'memory': '4096Mi' } });
  });

  test('errors: a request above its limit, a fractional rollout count', () => {
    const cpu = { request: kplus.Cpu.units(2), limit: kplus.Cpu.millis(1500) };
    expect(constructionError(() => controllerChart({ sizing: ControllerSizing.of({ cpu }) })))
      .toBe('[argo-rollouts/controller] sizing: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1500m (allowed: a cpu request no larger than its limit)');
    const memory = { request: Size.gibibytes(2), limit: Size.gibibytes(1) };
    expect(constructionError(() => controllerChart({ sizing: ControllerSizing.of({ memory }) })))
      .toContain('Invalid value: "2048Mi": must be less than or equal to memory limit of 1024Mi');
    expect(constructionError(() => controllerChart({ sizing: ControllerSizing.forRollouts(10.5) })))
      .toContain('sizing: spec.template.spec.containers[0].resources: Invalid value: 10.5: expected rollouts must be a whole number (allowed: an integer of 0 or more)');
  });
});

describe('RolloutsController: deployment settings', () => {
  test('HA: replicas with explicit leader election, spread over nodes, a PodDisruptionBudget', () => {
    const objects = synth(controllerChart({ replicas: 2 }));
    const deployment = find(objects, 'Deployment', 'argo-rollouts');
    expect(deployment.spec.replicas).toBe(2);
    expect(container(objects).args).toEqual(['--leader-elect=true']);
    expect(deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'argo-rollouts' } } },
    }]);
    const pdb = find(objects, 'PodDisruptionBudget', 'argo-rollouts');
    expect(pdb.metadata.namespace).toBe('argo-rollouts');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
    expect(deployment.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    for (const o of objects.filter((x) => x.kind !== 'CustomResourceDefinition')) expect(schemas.errors(o)).toEqual([]);
  });

  test('a single replica has no PodDisruptionBudget (it would block node drains)', () => {
    expect(synth(controllerChart()).filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('log level and format, leader election off, Prometheus address', () => {
    const objects = synth(controllerChart({
      logLevel: ControllerLogLevel.DEBUG,
      logFormat: ControllerLogFormat.JSON,
      leaderElection: false,
      prometheusAddress: 'http://prometheus.monitoring.svc:9090',
    }));
    expect(container(objects).args).toEqual(['--leader-elect=false', '--loglevel', 'debug', '--logformat', 'json']);
    expect(container(objects).env).toEqual([{ name: 'ARGO_ROLLOUTS_PROMETHEUS_ADDRESS', value: 'http://prometheus.monitoring.svc:9090' }]);
  });

  test('node placement and image', () => {
    const objects = synth(controllerChart({
      nodeSelector: { 'node-role.kubernetes.io/platform': 'true' },
      tolerations: [kplus.NodeTaintQuery.is('dedicated', 'platform', { effect: kplus.TaintEffect.NO_SCHEDULE }), kplus.NodeTaintQuery.exists('spot')],
      image: 'registry.internal/argoproj/argo-rollouts:v1.9.1',
    }));
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'node-role.kubernetes.io/platform': 'true' });
    expect(pod.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' },
      { key: 'spot', operator: 'Exists' },
    ]);
    expect(container(objects).image).toBe('registry.internal/argoproj/argo-rollouts:v1.9.1');
    expect(schemas.errors(find(objects, 'Deployment'))).toEqual([]);
  });

  test('namespace: the prop wins over the chart; without either, argo-rollouts', () => {
    const custom = synth(controllerChart({ namespace: 'platform-rollouts' }, 'ignored'));
    expect(find(custom, 'ConfigMap', 'argo-rollouts-config').metadata.namespace).toBe('platform-rollouts');
    expect(find(custom, 'ClusterRoleBinding').subjects[0].namespace).toBe('platform-rollouts');
    expect(find(custom, 'ServiceMonitor').spec.namespaceSelector.matchNames).toEqual(['platform-rollouts']);
    const none = synth(controllerChart({}, undefined));
    expect(find(none, 'Deployment').metadata.namespace).toBe('argo-rollouts');
    expect(find(none, 'CustomResourceDefinition', 'rollouts.argoproj.io').metadata.namespace).toBeUndefined();
  });

  test('ServiceMonitor labels and interval, or none', () => {
    const monitor = find(synth(controllerChart({ serviceMonitor: { labels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(30) } })), 'ServiceMonitor');
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(schemas.errors(monitor)).toEqual([]);
    expect(synth(controllerChart({ serviceMonitor: { enabled: false } })).filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
  });

  test('by default the bundled v1.9.1 manifests: nothing is downloaded at synth time', () => {
    // cdk8s's Include reads its `url` with Yaml.load, which downloads http(s) URLs and reads files.
    const load = jest.spyOn(Yaml, 'load');
    try {
      const chart = new Chart(Testing.app(), 'argo-rollouts', { namespace: 'argo-rollouts' });
      const controller = new RolloutsController(chart, 'controller');
      expect(controller.version).toBe(ControllerManifests.PINNED_VERSION);
      const sources = load.mock.calls.map(([source]) => source);
      expect(sources.map((source) => path.basename(source))).toEqual(['install.yaml', 'notifications-install.yaml']);
      for (const source of sources) expect(fs.existsSync(source)).toBe(true);
      expect(synth(chart)).toEqual(synth(controllerChart()));
    } finally {
      load.mockRestore();
    }
  });

  test('a release URL on request', () => {
    expect(ControllerManifests.fromRelease().install).toBe('https://github.com/argoproj/argo-rollouts/releases/download/v1.9.1/install.yaml');
    expect(ControllerManifests.fromRelease('v1.8.3').notifications).toBe('https://github.com/argoproj/argo-rollouts/releases/download/v1.8.3/notifications-install.yaml');
  });

  test('errors: replicas, HA without leader election, Prometheus address, a second controller, a manifest that is not a release', () => {
    expect(constructionError(() => controllerChart({ replicas: 0 })))
      .toBe('[argo-rollouts/controller] replicas: spec.replicas: Invalid value: 0: must be a whole number of at least 1 (allowed: 1 or more)');
    expect(constructionError(() => controllerChart({ replicas: 3, leaderElection: false })))
      .toBe('[argo-rollouts/controller] leaderElection: spec.template.spec.containers[0].args: Invalid value: false: 3 controllers without leader election would all reconcile the same rollouts (allowed: leaderElection: true, or replicas: 1)');
    expect(constructionError(() => controllerChart({ prometheusAddress: 'prometheus:9090' })))
      .toContain('prometheusAddress: spec.template.spec.containers[0].env: Invalid value: "prometheus:9090": not an http(s) URL');
    expect(constructionError(() => {
      const chart = controllerChart();
      new RolloutsController(chart, 'second', { manifests: ControllerManifests.bundled() });
    })).toBe('[argo-rollouts/second] RolloutsController: app: the app already has a controller at argo-rollouts/controller (allowed: one RolloutsController per app (they would share the CRDs and cluster roles))');
    const notifications = path.join(__dirname, '..', 'imports', 'argo-rollouts', 'notifications-install.yaml');
    expect(constructionError(() => controllerChart({ manifests: ControllerManifests.fromFiles('v1.9.1', notifications, notifications) })))
      .toBe('[argo-rollouts/controller] manifests: Deployment/argo-rollouts: the release manifest has no Deployment named "argo-rollouts" (allowed: the install.yaml and notifications-install.yaml of an Argo Rollouts release)');
  });

  test('synth-time validation passes for a plain install', () => {
    const chart = controllerChart();
    expect(validationErrors(chart.node.root as any)).toEqual([]);
  });
});
