import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { CanaryRollout, CanaryRolloutProps, CanaryStep, GatewayApiPlugin, GatewayApiPluginProps, GatewayApiTrafficSplit, GatewayApiTrafficSplitProps, PluginPlatform, StringMatch } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const platformGateway = { name: 'platform-gateway', namespace: 'istio-system' };

function gatewayRollout(props: Partial<GatewayApiTrafficSplitProps> = {}, rolloutProps: Partial<CanaryRolloutProps> = {}, chart: Chart = testChart('prod')) {
  const split = new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [platformGateway], ...props });
  const rollout = new CanaryRollout(chart, 'myapp', {
    metadata: { name: 'myapp-prod' },
    containers: [{ image: 'myapp:1.4.2', portNumber: 8080 }],
    trafficSplit: split,
    ...rolloutProps,
  });
  return { chart, split, rollout };
}

const errorsOf = (chart: any) => validationErrors(App.of(chart) as App);
const pluginConfig = (objects: any[]) => find(objects, 'Rollout').spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'];

describe('GatewayApiTrafficSplit', () => {
  test('creates an HTTPRoute with both Services (100/0) attached to the Gateway, and the plugin config with its namespace', () => {
    const { chart, rollout } = gatewayRollout({ hostnames: ['myapp.example.com'] });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);

    const route = find(objects, 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata).toMatchObject({ name: 'myapp-prod', namespace: 'prod' });
    expect(route.spec).toEqual({
      // The CRD's defaults written out (group, kind, the match of every path): no server-side apply drift.
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform-gateway', namespace: 'istio-system' }],
      hostnames: ['myapp.example.com'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [
          { group: '', kind: 'Service', name: 'myapp-prod-stable', port: 8080, weight: 100 },
          { group: '', kind: 'Service', name: 'myapp-prod-canary', port: 8080, weight: 0 },
        ],
      }],
    });
    expect(find(objects, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'myapp-prod', useHeaderRoutes: true }], namespace: 'prod' } },
    });
    expect(rollout.routerMetrics).toEqual({ router: 'gatewayAPI', httpRouteName: 'myapp-prod' });
  });

  test('route name, listener, path prefix and port', () => {
    const servicePorts = [{ port: 8080, name: 'http' }, { port: 9090, name: 'metrics' }];
    const containers = [{ image: 'a:1', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }];
    const { chart } = gatewayRollout({ gateways: [{ ...platformGateway, sectionName: 'https' }], httpRouteName: 'myapp', pathPrefix: '/api', port: 8080 }, { servicePorts, containers });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const route = find(objects, 'HTTPRoute', 'myapp');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform-gateway', namespace: 'istio-system', sectionName: 'https' }]);
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/api' } }]);
    expect(route.spec.rules[0].backendRefs.map((b: any) => b.port)).toEqual([8080, 8080]);
    expect(pluginConfig(objects).httpRoutes).toEqual([{ name: 'myapp', useHeaderRoutes: true }]);
  });

  test('header routes work with the plugin and fill managedRoutes', () => {
    const { chart } = gatewayRollout({}, {
      steps: [
        CanaryStep.weight(10),
        CanaryStep.headerRoute({ name: 'canary-header', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] }),
      ],
    });
    const objects = synth(chart);
    const routing = find(objects, 'Rollout').spec.strategy.canary.trafficRouting;
    expect(routing.managedRoutes).toEqual([{ name: 'canary-header' }]);
    expect(routing.plugins['argoproj-labs/gatewayAPI'].httpRoutes[0].useHeaderRoutes).toBe(true);
  });

  test('mirror routes are refused with the plugin: the v1.9.1 controller accepts them with Istio only (rule 30, found by the differential fuzz)', () => {
    const { chart } = gatewayRollout({}, { steps: [CanaryStep.mirrorRoute({ name: 'mirror', match: [{ path: StringMatch.prefix('/') }] })] });
    const errors = errorsOf(chart);
    expect(errors).toEqual([expect.stringContaining('spec.strategy.steps[0].setMirrorRoute: Invalid value: ...: SetMirrorRoute requires TrafficRouting, supports Istio only')]);
    expect(errors[0]).toContain('[test/myapp] steps[0]:');
    expect(errors[0]).toContain('an Istio traffic split');
  });

  test('maxTrafficWeight is accepted through the plugin (rule 23)', () => {
    const { chart, rollout } = gatewayRollout();
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRouting/maxTrafficWeight', 1000));
    expect(errorsOf(chart)).toEqual([]);
  });

  describe('construction errors', () => {
    test('no Gateway', () => {
      expect(constructionError(() => new GatewayApiTrafficSplit(testChart(), 'traffic', { gateways: [] }))).toBe(
        '[test/traffic] gateways: spec.parentRefs: an HTTPRoute without parentRefs is attached to no Gateway and routes nothing (allowed: at least one Gateway)');
    });

    test('relative path prefix', () => {
      expect(constructionError(() => new GatewayApiTrafficSplit(testChart(), 'traffic', { gateways: [platformGateway], pathPrefix: 'api' }))).toContain(
        'pathPrefix: spec.rules[0].matches[0].path.value: Invalid value: "api": must be an absolute path');
    });

    test('a rollout without namespace (the plugin needs one)', () => {
      const chart = new Chart(Testing.app(), 'nons');
      expect(constructionError(() => gatewayRollout({}, {}, chart))).toContain(
        '[nons/traffic] namespace: spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"].namespace: rollout "myapp-prod" has no namespace');
    });
  });

  describe('checks the final JSON (JSON patches included)', () => {
    const field = 'spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"]';

    test('canary backendRef removed from the HTTPRoute', () => {
      const { chart, split } = gatewayRollout();
      split.httpRoute!.addJsonPatch(JsonPatch.remove('/spec/rules/0/backendRefs/1'));
      expect(errorsOf(chart)).toEqual([
        '[test/traffic] httpRouteName: HTTPRoute myapp-prod spec.rules[0].backendRefs: backendRef was not found in httpRoute: no backendRef for the canary Service myapp-prod-canary (allowed: a rule with both the stable and the canary Service)',
      ]);
    });

    test('empty plugin namespace', () => {
      const { chart, rollout } = gatewayRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/namespace', ''));
      expect(errorsOf(chart)).toEqual([`[test/traffic] namespace: ${field}.namespace: an empty namespace may not be set when a resource name is provided (allowed: the HTTPRoute's namespace prod)`]);
    });

    test('plugin namespace other than the HTTPRoute\'s', () => {
      const { chart, rollout } = gatewayRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/namespace', 'staging'));
      expect(errorsOf(chart)).toEqual([expect.stringContaining('Invalid value: "staging": HTTPRoute "myapp-prod" is in namespace "prod"')]);
    });

    test('route renamed in the plugin config', () => {
      const { chart, rollout } = gatewayRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/httpRoutes/0/name', 'myapp'));
      expect(errorsOf(chart)).toEqual([expect.stringContaining(`${field}.httpRoutes: Invalid value: "myapp": httproutes.gateway.networking.k8s.io "myapp" not found`)]);
    });

    test('no route in the plugin config', () => {
      const { chart, rollout } = gatewayRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.remove('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/httpRoutes'));
      expect(errorsOf(chart)).toEqual([expect.stringContaining("No routes configured. At least one of 'httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes', 'httpRoute', 'grpcRoute', 'tcpRoute' or 'tlsRoute' must be set")]);
    });

    test('the single httpRoute form is understood', () => {
      const { chart, rollout } = gatewayRollout();
      ApiObject.of(rollout).addJsonPatch(
        JsonPatch.remove('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/httpRoutes'),
        JsonPatch.add('/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/httpRoute', 'myapp-prod'));
      expect(errorsOf(chart)).toEqual([]);
    });
  });
});

describe('GatewayApiPlugin', () => {
  function pluginObjects(props: GatewayApiPluginProps = {}) {
    const chart = testChart('prod');
    const plugin = new GatewayApiPlugin(chart, 'plugin', props);
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    return { plugin, objects };
  }

  test('registers the pinned release in argo-rollouts-config and grants the plugin its RBAC', () => {
    const { plugin, objects } = pluginObjects();
    const config = find(objects, 'ConfigMap', 'argo-rollouts-config');
    expect(config.metadata.namespace).toBe('argo-rollouts');
    const entries = YAML.parse(config.data.trafficRouterPlugins);
    expect(entries).toEqual([{
      name: 'argoproj-labs/gatewayAPI',
      location: `https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/${GatewayApiPlugin.DEFAULT_VERSION}/gatewayapi-plugin-linux-amd64`,
    }]);
    expect(plugin.pluginEntry).toEqual(entries[0]);

    const role = find(objects, 'ClusterRole', 'argo-rollouts-gateway-api-plugin');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules).toContainEqual({ apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes'], verbs: ['get', 'list', 'update', 'patch'] });
    const binding = find(objects, 'ClusterRoleBinding', 'argo-rollouts-gateway-api-plugin');
    expect(binding.metadata.namespace).toBeUndefined();
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-rollouts-gateway-api-plugin' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-rollouts', namespace: 'argo-rollouts' }]);
  });

  test('version, platform, checksum, namespace and service account', () => {
    const sha256 = 'a'.repeat(64);
    const { objects } = pluginObjects({ version: 'v0.14.0', platform: PluginPlatform.LINUX_ARM64, sha256, namespace: 'rollouts', serviceAccountName: 'controller' });
    const config = find(objects, 'ConfigMap');
    expect(config.metadata.namespace).toBe('rollouts');
    expect(YAML.parse(config.data.trafficRouterPlugins)).toEqual([{
      name: 'argoproj-labs/gatewayAPI',
      location: 'https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/v0.14.0/gatewayapi-plugin-linux-arm64',
      sha256,
    }]);
    expect(find(objects, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'controller', namespace: 'rollouts' }]);
  });

  test('a file:// location (binary copied by an init container), without RBAC', () => {
    const { objects } = pluginObjects({ location: 'file:///plugins/rollouts-plugin-trafficrouter-gatewayapi', rbac: false });
    expect(YAML.parse(find(objects, 'ConfigMap').data.trafficRouterPlugins)[0].location).toBe('file:///plugins/rollouts-plugin-trafficrouter-gatewayapi');
    expect(objects.map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  test.each<[string, GatewayApiPluginProps, string]>([
    ['location and version', { location: 'https://example.com/p', version: 'v1' }, 'location and version both set'],
    ['location scheme', { location: 's3://bucket/plugin' }, 'Invalid value: "s3://bucket/plugin": the controller downloads plugins from http(s):// or loads them from file://'],
    ['checksum', { sha256: 'abc' }, 'sha256: data.trafficRouterPlugins[0].sha256: Invalid value: "abc": not a SHA-256 hex digest'],
  ])('refuses a wrong %s', (_name, props, message) => {
    expect(constructionError(() => new GatewayApiPlugin(testChart(), 'plugin', props))).toContain(message);
  });
});
