import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRollout, CanaryRolloutProps, CanaryStep, NginxTrafficSplit, NginxTrafficSplitProps, StringMatch } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

function nginxRollout(props: NginxTrafficSplitProps = {}, rolloutProps: Partial<CanaryRolloutProps> = {}, chart: Chart = testChart('aragora')) {
  const split = new NginxTrafficSplit(chart, 'traffic', props);
  const rollout = new CanaryRollout(chart, 'aragora', {
    metadata: { name: 'aragora' },
    containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }],
    trafficSplit: split,
    ...rolloutProps,
  });
  return { chart, split, rollout };
}

function trafficRouting(objects: any[]): any {
  return find(objects, 'Rollout').spec.strategy.canary.trafficRouting;
}

describe('NginxTrafficSplit', () => {
  test('creates the stable Ingress routed to the stable Service, with TLS, and trafficRouting.nginx', () => {
    const { chart, rollout } = nginxRollout({ host: 'api.aragora.ai', tlsSecretName: 'aragora-tls', canaryHeader: { name: 'X-Canary', value: 'true' } });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);

    const ingress = find(objects, 'Ingress');
    expect(ingress.metadata).toMatchObject({ name: 'aragora-stable', namespace: 'aragora' });
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules).toEqual([{
      host: 'api.aragora.ai',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'aragora-stable', port: { number: 8080 } } } }] },
    }]);
    expect(ingress.spec.tls).toEqual([{ hosts: ['api.aragora.ai'], secretName: 'aragora-tls' }]);

    expect(trafficRouting(objects)).toEqual({
      nginx: {
        stableIngress: 'aragora-stable',
        additionalIngressAnnotations: { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'true' },
      },
    });
    expect(rollout.routerMetrics).toEqual({ router: 'nginx', ingressName: 'aragora-stable' });
  });

  test('without host or TLS: a catch-all rule and no tls section', () => {
    const { chart } = nginxRollout();
    const ingress = find(synth(chart), 'Ingress');
    expect(ingress.spec.rules[0].host).toBeUndefined();
    expect(ingress.spec.tls).toBeUndefined();
  });

  test('passes through names, class, path, annotations, prefix and maxTrafficWeight', () => {
    const { chart } = nginxRollout({
      ingressName: 'public-api',
      ingressClassName: 'nginx-internal',
      path: '/api',
      pathType: kplus.HttpIngressPathType.EXACT,
      ingressAnnotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' },
      canaryHeader: { name: 'X-Canary', pattern: '^(true|yes)$' },
      additionalIngressAnnotations: { 'canary-by-cookie': 'canary' },
      canaryIngressAnnotations: { 'example.com/team': 'aragora' },
      annotationPrefix: 'custom.nginx.org',
      maxTrafficWeight: 1000,
    }, { steps: [CanaryStep.weight(500)] });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const ingress = find(objects, 'Ingress', 'public-api');
    expect(ingress.spec.ingressClassName).toBe('nginx-internal');
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' });
    expect(ingress.spec.rules[0].http.paths[0]).toMatchObject({ path: '/api', pathType: 'Exact' });
    expect(trafficRouting(objects)).toEqual({
      nginx: {
        stableIngress: 'public-api',
        annotationPrefix: 'custom.nginx.org',
        additionalIngressAnnotations: { 'canary-by-header': 'X-Canary', 'canary-by-header-pattern': '^(true|yes)$', 'canary-by-cookie': 'canary' },
        canaryIngressAnnotations: { 'example.com/team': 'aragora' },
      },
      maxTrafficWeight: 1000,
    });
  });

  test('maxTrafficWeight bounds setWeight (rule 26)', () => {
    const { chart } = nginxRollout({ maxTrafficWeight: 1000 }, { steps: [CanaryStep.weight(1500)] });
    expect(validationErrors(App.of(chart) as App)).toEqual([
      expect.stringContaining('spec.strategy.steps[0].setWeight: Invalid value: 1500: SetWeight needs to be between 0 and 1000'),
    ]);
  });

  test('picks the given port of a multi-port Service, and refuses an ambiguous or unknown one', () => {
    const servicePorts = [{ port: 8080, name: 'http' }, { port: 9090, name: 'metrics' }];
    const containers = [{ image: 'a:1', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }];
    const { chart } = nginxRollout({ port: 8080 }, { servicePorts, containers });
    expect(find(synth(chart), 'Ingress').spec.rules[0].http.paths[0].backend.service.port).toEqual({ number: 8080 });

    expect(constructionError(() => nginxRollout({}, { servicePorts, containers }))).toMatch(
      /\[test\/traffic\] port: port: Service "aragora-stable" has 2 ports; the router needs to know which one .*\(allowed: one of 8080, 9090\)/);
    expect(constructionError(() => nginxRollout({ port: 443 }, { servicePorts, containers }))).toContain(
      'Service "aragora-stable" has no port 443 (allowed: one of 8080, 9090)');
  });

  describe('construction errors', () => {
    test.each<[string, NginxTrafficSplitProps, string]>([
      ['header value and pattern', { canaryHeader: { name: 'X-Canary', value: 'true', pattern: 'tr.*' } }, 'canaryHeader: additionalIngressAnnotations: canary-by-header-value and canary-by-header-pattern both set'],
      ['prefixed additional annotation', { additionalIngressAnnotations: { 'nginx.ingress.kubernetes.io/canary-by-cookie': 'c' } }, 'has a prefix, but the controller adds annotationPrefix itself (allowed: the key without prefix ("canary-by-cookie")'],
      ['controller annotation', { additionalIngressAnnotations: { 'canary-weight': '10' } }, '"canary-weight" is written by the controller on every step'],
      ['header annotations twice', { canaryHeader: { name: 'X-Canary' }, additionalIngressAnnotations: { 'canary-by-header': 'X-Other' } }, '"canary-by-header" is also set by canaryHeader'],
      ['zero maxTrafficWeight', { maxTrafficWeight: 0 }, 'maxTrafficWeight: spec.strategy.canary.trafficRouting.maxTrafficWeight: Invalid value: 0: must be a positive integer'],
      ['fractional maxTrafficWeight', { maxTrafficWeight: 1.5 }, 'Invalid value: 1.5: must be a positive integer'],
      ['empty ingresses', { ingresses: [] }, 'Internal error: Either StableIngress or StableIngresses must be configured. Neither are configured.'],
    ])('%s', (_name, props, message) => {
      const chart = testChart();
      const error = constructionError(() => new NginxTrafficSplit(chart, 'traffic', props));
      expect(error).toContain('[test/traffic]');
      expect(error).toContain(message);
    });
  });

  test('header routes are refused with nginx (rule 29), naming the nginx header option as the fix', () => {
    const { chart } = nginxRollout({}, { steps: [CanaryStep.headerRoute({ name: 'canary', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] })] });
    const errors = validationErrors(App.of(chart) as App);
    expect(errors).toEqual([expect.stringContaining('spec.strategy.steps[0].setHeaderRoute: Invalid value: ...: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix')]);
    expect(errors[0]).toContain('nginx: use its header canary option');
    expect(errors[0]).toContain('[test/aragora]');
  });

  test('mirror routes are refused with nginx (rule 30)', () => {
    const { chart } = nginxRollout({}, { steps: [CanaryStep.mirrorRoute({ name: 'mirror', match: [{ path: StringMatch.prefix('/') }] })] });
    expect(validationErrors(App.of(chart) as App)).toEqual([expect.stringContaining('SetMirrorRoute requires TrafficRouting, supports Istio only')]);
  });

  describe('Ingresses of your own', () => {
    function ownIngresses(backendOf: (stable: kplus.Service, other: kplus.Service) => kplus.Service[]) {
      const chart = testChart('aragora');
      const stable = new kplus.Service(chart, 'stable', { metadata: { name: 'web-stable' }, ports: [{ port: 80, targetPort: 8080 }] });
      stable.selectLabel('app.kubernetes.io/name', 'aragora');
      const other = new kplus.Service(chart, 'other', { metadata: { name: 'legacy' }, ports: [{ port: 80 }] });
      const ingresses = backendOf(stable, other).map((service, i) => new kplus.Ingress(chart, `ingress${i}`, {
        metadata: { name: `web-${i}` },
        rules: [{ host: `host${i}.example.com`, backend: kplus.IngressBackend.fromService(service) }],
      }));
      return nginxRollout({ ingresses }, { stableService: stable }, chart);
    }

    test('several Ingresses become stableIngresses', () => {
      const { chart, rollout } = ownIngresses((stable) => [stable, stable]);
      const objects = synth(chart);
      expect(trafficRouting(objects).nginx).toEqual({ stableIngresses: ['web-0', 'web-1'] });
      expect(rollout.routerMetrics?.ingressName).toBe('web-0');
      expect(objects.filter((o) => o.kind === 'Ingress')).toHaveLength(2);
    });

    test('an Ingress that does not route to the stable Service is refused (rule 45)', () => {
      const { chart } = ownIngresses((stable, other) => [stable, other]);
      expect(validationErrors(App.of(chart) as App)).toEqual([
        '[test/traffic] ingresses: spec.strategy.canary.trafficRouting.nginx.stableIngresses: Invalid value: "web-1": ingress `web-1` has no rules using service web-stable backend (allowed: a rule whose backend is the stable Service web-stable)',
      ]);
    });

    test('ingresses together with the properties of an Ingress to create are refused', () => {
      const chart = testChart();
      const ingress = new kplus.Ingress(chart, 'ingress', { metadata: { name: 'web' } });
      expect(constructionError(() => new NginxTrafficSplit(chart, 'traffic', {
        ingresses: [ingress], host: 'a.example.com', tlsSecretName: 'tls',
      }))).toContain('host, tlsSecretName describe an Ingress to create, but ingresses are given (allowed: either ingresses, or the properties of the Ingress to create)');
    });
  });

  describe('the API server refuses a class annotation beside spec.ingressClassName', () => {
    test('ingressAnnotations with kubernetes.io/ingress.class', () => {
      const { chart } = nginxRollout({ host: 'api.aragora.ai', ingressAnnotations: { 'kubernetes.io/ingress.class': 'nginx' } });
      expect(validationErrors(App.of(chart) as App)).toEqual([
        '[test/traffic] ingressAnnotations: metadata.annotations.kubernetes.io/ingress.class: Ingress "aragora-stable": annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set (allowed: spec.ingressClassName (ingressClassName, "nginx" here) without the kubernetes.io/ingress.class annotation)',
      ]);
    });

    test('the annotation added by JSON patch; other annotations pass', () => {
      const { chart, split } = nginxRollout({ host: 'api.aragora.ai', ingressAnnotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } });
      expect(validationErrors(App.of(chart) as App)).toEqual([]);
      ApiObject.of(split.ingresses[0]).addJsonPatch(JsonPatch.add('/metadata/annotations/kubernetes.io~1ingress.class', 'internal'));
      expect(validationErrors(App.of(chart) as App)).toEqual([expect.stringContaining('Invalid value: "internal": can not be set when the class field is also set')]);
    });
  });

  describe('checks the final JSON (JSON patches included)', () => {
    test('rule 45: stable Ingress patched to another Service', () => {
      const { chart, split } = nginxRollout();
      ApiObject.of(split.ingresses[0]).addJsonPatch(JsonPatch.replace('/spec/rules/0/http/paths/0/backend/service/name', 'aragora-canary'));
      expect(validationErrors(App.of(chart) as App)).toEqual([
        expect.stringContaining('Invalid value: "aragora-stable": ingress `aragora-stable` has no rules using service aragora-stable backend'),
      ]);
    });

    test('stable Ingress patched to a port the Service does not have', () => {
      const { chart, split } = nginxRollout();
      ApiObject.of(split.ingresses[0]).addJsonPatch(JsonPatch.replace('/spec/rules/0/http/paths/0/backend/service/port/number', 80));
      expect(validationErrors(App.of(chart) as App)).toEqual([
        expect.stringContaining('ingress `aragora-stable` sends to port 80 of service aragora-stable, which has no such port (allowed: one of 8080)'),
      ]);
    });

    test('stable Ingress patched into another namespace', () => {
      const { chart, split } = nginxRollout();
      ApiObject.of(split.ingresses[0]).addJsonPatch(JsonPatch.replace('/metadata/namespace', 'ingress'));
      expect(validationErrors(App.of(chart) as App)).toEqual([
        expect.stringContaining('ingress `aragora-stable` is in namespace "ingress", the rollout in "aragora"'),
      ]);
    });

    test('rule 43: stableIngress and stableIngresses both set', () => {
      const { chart, rollout } = nginxRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRouting/nginx/stableIngresses', ['aragora-stable']));
      expect(validationErrors(App.of(chart) as App)).toEqual([
        '[test/traffic] ingresses: spec.strategy.canary.trafficRouting.nginx: Internal error: Either StableIngress or StableIngresses must be configured. Both are configured. (allowed: exactly one of stableIngress, stableIngresses)',
      ]);
    });

    test('rule 43: neither set', () => {
      const { chart, rollout } = nginxRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.remove('/spec/strategy/canary/trafficRouting/nginx/stableIngress'));
      expect(validationErrors(App.of(chart) as App)).toEqual([expect.stringContaining('Neither are configured.')]);
    });

    test('stableIngress patched to an Ingress that does not exist', () => {
      const { chart, rollout } = nginxRollout();
      ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/nginx/stableIngress', 'aragora'));
      expect(validationErrors(App.of(chart) as App)).toEqual([
        expect.stringContaining('spec.strategy.canary.trafficRouting.nginx.stableIngress: Invalid value: "aragora": ingresses.networking.k8s.io "aragora" not found (allowed: an Ingress of this split: aragora-stable)'),
      ]);
    });
  });
});
