import { App, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AlbTargetType, AlbTrafficSplit, AlbTrafficSplitProps, CanaryRollout, CanaryStep, StringMatch } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const container = { image: 'aragora/aragora:v1.1.0', portNumber: 8080 };
const errorsOf = (chart: any) => validationErrors(chart.node.root as App);

function app(props: AlbTrafficSplitProps = {}, steps: CanaryStep[] = [CanaryStep.weight(5), CanaryStep.pause(Duration.minutes(5))]) {
  const chart = testChart('aragora');
  const split = new AlbTrafficSplit(chart, 'traffic', props);
  const rollout = new CanaryRollout(chart, 'aragora', { metadata: { name: 'aragora' }, containers: [container], trafficSplit: split, steps });
  return { chart, split, rollout };
}

describe('AlbTrafficSplit', () => {
  test('an Ingress whose rule names the stable Service with port use-annotation; trafficRouting.alb with servicePort', () => {
    const { chart } = app({ host: 'api.aragora.ai', ingressAnnotations: { 'alb.ingress.kubernetes.io/scheme': 'internet-facing' } });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const ingress = find(objects, 'Ingress', 'aragora');
    expect(ingress.metadata.annotations).toEqual({ 'alb.ingress.kubernetes.io/target-type': 'ip', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' });
    expect(ingress.spec).toEqual({
      ingressClassName: 'alb',
      rules: [{ host: 'api.aragora.ai', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'aragora-stable', port: { name: 'use-annotation' } } } }] } }],
    });
    expect(find(objects, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ alb: { ingress: 'aragora', servicePort: 8080 } });
  });

  test('rootService, stickiness, annotation prefix; header routes with exact matches', () => {
    const chart = testChart('aragora');
    const root = new kplus.Service(chart, 'root', { metadata: { name: 'aragora-root' }, ports: [{ port: 8080 }] });
    root.selectLabel('app.kubernetes.io/name', 'aragora');
    const split = new AlbTrafficSplit(chart, 'traffic', { rootService: root, stickiness: Duration.hours(1), annotationPrefix: 'custom.alb.io' });
    new CanaryRollout(chart, 'aragora', {
      metadata: { name: 'aragora' },
      containers: [container],
      trafficSplit: split,
      steps: [CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] }), CanaryStep.weight(10)],
    });
    const objects = synth(chart);
    const routing = find(objects, 'Rollout').spec.strategy.canary.trafficRouting;
    expect(routing).toEqual({
      alb: { ingress: 'aragora', servicePort: 8080, rootService: 'aragora-root', annotationPrefix: 'custom.alb.io', stickinessConfig: { enabled: true, durationSeconds: 3600 } },
      managedRoutes: [{ name: 'beta' }],
    });
    const ingress = find(objects, 'Ingress', 'aragora');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'aragora-root', port: { name: 'use-annotation' } });
    expect(ingress.metadata.annotations).toEqual({ 'custom.alb.io/target-type': 'ip' });
  });

  test('multiple ingresses of your own, with NodePort Services for target type instance', () => {
    const chart = testChart('aragora');
    const ingress = (name: string, host: string) => new kplus.k8s.KubeIngress(chart, name, {
      metadata: { name, annotations: { 'alb.ingress.kubernetes.io/target-type': 'instance' } },
      spec: { ingressClassName: 'alb', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'aragora-stable', port: { name: 'use-annotation' } } } }] } }] },
    });
    const service = (id: string, name: string) => {
      const s = new kplus.Service(chart, id, { metadata: { name }, type: kplus.ServiceType.NODE_PORT, ports: [{ port: 8080 }] });
      s.selectLabel('app.kubernetes.io/name', 'aragora');
      return s;
    };
    const split = new AlbTrafficSplit(chart, 'traffic', { ingresses: [ingress('public', 'api.aragora.ai'), ingress('internal', 'api.aragora.internal')] });
    new CanaryRollout(chart, 'aragora', {
      metadata: { name: 'aragora' },
      containers: [container],
      trafficSplit: split,
      stableService: service('stable', 'aragora-stable'),
      canaryService: service('canary', 'aragora-canary'),
      steps: [CanaryStep.weight(10)],
    });
    expect(find(synth(chart), 'Rollout').spec.strategy.canary.trafficRouting.alb).toEqual({ ingresses: ['public', 'internal'], servicePort: 8080 });
  });

  test('header routes other than exact are refused with the controller\'s text (rule 29)', () => {
    const { chart } = app({}, [CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'X-Canary', value: StringMatch.prefix('tr') }] }), CanaryStep.weight(10)]);
    expect(errorsOf(chart).join('\n')).toContain("SetHeaderRoute match value invalid. ALB supports 'exact' value only");
  });

  test('errors: no rule for the routed Service (rule 45), a numeric port, the controller\'s action annotation, ClusterIP with target type instance', () => {
    const { chart, split } = app({ ingressAnnotations: { 'alb.ingress.kubernetes.io/actions.aragora-stable': '{}' }, targetType: AlbTargetType.INSTANCE });
    firstIngress(split).addJsonPatch(JsonPatch.replace('/spec/rules/0/http/paths/0/backend/service/port', { number: 8080 }));
    const errors = errorsOf(chart);
    expect(errors).toEqual([
      '[test/traffic] ingresses: spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "aragora": ingress `aragora` sends to service aragora-stable port 8080, so the load balancer ignores the weights in alb.ingress.kubernetes.io/actions.aragora-stable (allowed: backend port name use-annotation)',
      '[test/traffic] ingressAnnotations: Ingress aragora: metadata.annotations: "alb.ingress.kubernetes.io/actions.aragora-stable" is written by the rollouts controller on every step; a value in the manifest is reverted at every sync (allowed: annotations other than the routed Service\'s action)',
      '[test/traffic] targetType: Ingress aragora: alb.ingress.kubernetes.io/target-type: target type instance reaches pods through node ports, and Service "aragora-stable" is ClusterIP (allowed: AlbTargetType.IP, or NodePort Services (kplus.ServiceType.NODE_PORT))',
      '[test/traffic] targetType: Ingress aragora: alb.ingress.kubernetes.io/target-type: target type instance reaches pods through node ports, and Service "aragora-canary" is ClusterIP (allowed: AlbTargetType.IP, or NodePort Services (kplus.ServiceType.NODE_PORT))',
    ]);
    firstIngress(split).addJsonPatch(JsonPatch.replace('/spec/rules/0/http/paths/0/backend/service/name', 'other'));
    expect(errorsOf(chart)[0]).toBe('[test/traffic] ingresses: spec.strategy.canary.trafficRouting.alb.ingress: Invalid value: "aragora": ingress `aragora` has no rules using service aragora-stable backend (allowed: a rule whose backend is the stable Service aragora-stable, port name use-annotation)');
  });

  test('errors: ingresses and Ingress properties, no ingresses (rule 44), stickiness out of range', () => {
    const chart = testChart('aragora');
    const ingress = new kplus.k8s.KubeIngress(chart, 'mine', { metadata: { name: 'mine' }, spec: {} });
    expect(constructionError(() => new AlbTrafficSplit(chart, 'a', { ingresses: [ingress], host: 'x' }))).toBe('[test/a] ingresses: spec.strategy.canary.trafficRouting.alb: host describe an Ingress to create, but ingresses are given (allowed: either ingresses, or the properties of the Ingress to create)');
    expect(constructionError(() => new AlbTrafficSplit(chart, 'b', { ingresses: [] }))).toBe('[test/b] ingresses: spec.strategy.canary.trafficRouting.alb: Either Ingress or Ingresses must be configured. Neither are configured. (allowed: at least one Ingress)');
    expect(constructionError(() => new AlbTrafficSplit(chart, 'c', { stickiness: Duration.days(8) }))).toBe("[test/c] stickiness: spec.strategy.canary.trafficRouting.alb.stickinessConfig.durationSeconds: TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)! (allowed: whole seconds from 1 to 604800)");
  });

  test('rule 44 on the final Rollout: both ingress and ingresses', () => {
    const { chart, rollout } = app();
    (rollout as any).apiObject.addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRouting/alb/ingresses', ['x']));
    expect(errorsOf(chart)).toContain('[test/traffic] ingresses: spec.strategy.canary.trafficRouting.alb: Either Ingress or Ingresses must be configured. Both are configured. (allowed: exactly one of ingress, ingresses)');
  });
});

function firstIngress(split: AlbTrafficSplit) {
  return split.ingresses[0];
}

describe('AlbTrafficSplit ping-pong', () => {
  test('ping and pong Services take turns; the Ingress routes to the root Service (rules 15-19 pass)', () => {
    const { chart } = app({ pingPong: true });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const canary = find(objects, 'Rollout').spec.strategy.canary;
    expect(canary.pingPong).toEqual({ pingService: 'aragora-ping', pongService: 'aragora-pong' });
    expect(canary.trafficRouting.alb).toEqual({ ingress: 'aragora', servicePort: 8080, rootService: 'aragora-root' });
    for (const name of ['aragora-root', 'aragora-ping', 'aragora-pong']) {
      expect(find(objects, 'Service', name).spec).toMatchObject({ selector: { 'app.kubernetes.io/name': 'aragora' }, ports: [{ port: 8080 }] });
    }
    expect(find(objects, 'Ingress', 'aragora').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'aragora-root', port: { name: 'use-annotation' } });
  });

  test('rule 18 on the final Rollout: ping-pong without a root Service', () => {
    const { chart, rollout } = app({ pingPong: true });
    (rollout as any).apiObject.addJsonPatch(JsonPatch.remove('/spec/strategy/canary/trafficRouting/alb/rootService'));
    expect(errorsOf(chart)).toContain('[test/aragora] pingPong: spec.strategy.trafficRouting.alb.rootService: Invalid value: "": Root service field is required for the configuration with ALB and ping-pong feature enabled (allowed: a root Service)');
  });
});
