import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisTemplateRef, BlueGreenRollout, CanaryRollout, CanarySteps, DeliveryStrategy, DeploymentScaleDown, ProgressiveService,
  ProgressiveServiceProps,
} from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const container: kplus.ContainerProps = {
  image: 'myapp/api:1.4.0',
  portNumber: 8080,
  resources: {
    cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
    memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
  },
};

function service(props: Partial<ProgressiveServiceProps> = {}, chart: Chart = testChart('prod')) {
  const s = new ProgressiveService(chart, 'myapp', { metadata: { name: 'myapp' }, containers: [container], ...props });
  return { chart, service: s };
}

const absolute = kplus.PercentOrAbsolute.absolute;

/** Objects keyed by kind/name. */
function byKey(objects: any[]): Map<string, any> {
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

const common: Partial<ProgressiveServiceProps> = {
  autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
  disruptionBudget: { minAvailable: kplus.PercentOrAbsolute.absolute(2) },
};

describe('ProgressiveService, off', () => {
  test('a cdk8s-plus Deployment, a Service, an HPA on the Deployment and a PDB, all selecting the same labels', () => {
    const { chart, service: s } = service(common);
    const objects = synth(chart);
    expect([...byKey(objects).keys()].sort()).toEqual([
      'Deployment/myapp', 'HorizontalPodAutoscaler/myapp', 'PodDisruptionBudget/myapp', 'Service/myapp',
    ]);
    const labels = { 'app.kubernetes.io/name': 'myapp' };
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: labels });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.template.metadata.labels).toMatchObject(labels);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(find(objects, 'Service').spec.selector).toEqual(labels);
    expect(find(objects, 'Service').spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
    expect(find(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' });
    expect(find(objects, 'PodDisruptionBudget').spec).toEqual({ selector: { matchLabels: labels }, minAvailable: 2 });
    expect(s.deployment).toBeDefined();
    expect(s.rollout).toBeUndefined();
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('rolling-update options of the Deployment strategy', () => {
    const { chart } = service({ delivery: DeliveryStrategy.deployment({ maxSurge: absolute(1), maxUnavailable: absolute(0) }) });
    expect(find(synth(chart), 'Deployment').spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });
});

describe('switching progressive delivery on', () => {
  const canary = () => DeliveryStrategy.canary({ steps: CanarySteps.progressive({ weights: [10, 50], pause: Duration.minutes(5) }) });

  test('canary: only the workload kind, the HPA target and the canary Service differ', () => {
    const off = byKey(synth(service(common).chart));
    const { chart, service: s } = service({ ...common, delivery: canary() });
    const onObjects = synth(chart);
    const on = byKey(onObjects);

    const onlyOff = [...off.keys()].filter((k) => !on.has(k));
    const onlyOn = [...on.keys()].filter((k) => !off.has(k));
    expect(onlyOff).toEqual(['Deployment/myapp']);
    expect(onlyOn.sort()).toEqual(['Rollout/myapp', 'Service/myapp-canary']);
    const changed = [...off.keys()].filter((k) => on.has(k) && JSON.stringify(on.get(k)) !== JSON.stringify(off.get(k)));
    expect(changed).toEqual(['HorizontalPodAutoscaler/myapp']);
    const hpaOn = on.get('HorizontalPodAutoscaler/myapp');
    const hpaOff = off.get('HorizontalPodAutoscaler/myapp');
    expect(hpaOn.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'myapp' });
    expect({ ...hpaOn.spec, scaleTargetRef: undefined }).toEqual({ ...hpaOff.spec, scaleTargetRef: undefined });

    // Same pod template (cdk8s-plus address label included) and selector in the Deployment and the Rollout.
    const deployment = off.get('Deployment/myapp');
    const rollout = on.get('Rollout/myapp');
    expect(rollout.spec.template).toEqual(deployment.spec.template);
    expect(rollout.spec.selector).toEqual(deployment.spec.selector);
    expect(rollout.spec.strategy.canary.stableService).toBe('myapp');
    expect(rollout.spec.strategy.canary.canaryService).toBe('myapp-canary');
    expect(on.get('Service/myapp-canary').spec.selector).toEqual(on.get('Service/myapp').spec.selector);
    expect(s.rollout).toBeInstanceOf(CanaryRollout);
    expect(s.deployment).toBeUndefined();
    for (const o of onObjects) expect(schemas.errors(o)).toEqual([]);
  });

  test('blue-green: only the workload kind, the HPA target and the preview Service differ', () => {
    const off = byKey(synth(service(common).chart));
    const { chart, service: s } = service({ ...common, delivery: DeliveryStrategy.blueGreen({ autoPromotionEnabled: false }) });
    const onObjects = synth(chart);
    const on = byKey(onObjects);
    expect([...off.keys()].filter((k) => !on.has(k))).toEqual(['Deployment/myapp']);
    expect([...on.keys()].filter((k) => !off.has(k)).sort()).toEqual(['Rollout/myapp', 'Service/myapp-preview']);
    expect([...off.keys()].filter((k) => on.has(k) && JSON.stringify(on.get(k)) !== JSON.stringify(off.get(k)))).toEqual(['HorizontalPodAutoscaler/myapp']);
    const rollout = on.get('Rollout/myapp');
    expect(rollout.spec.template).toEqual(off.get('Deployment/myapp').spec.template);
    expect(rollout.spec.strategy.blueGreen).toEqual({ activeService: 'myapp', previewService: 'myapp-preview', autoPromotionEnabled: false });
    expect(s.rollout).toBeInstanceOf(BlueGreenRollout);
    for (const o of onObjects) expect(schemas.errors(o)).toEqual([]);
  });

  test('the canary strategy options reach the Rollout (analysis, maxSurge)', () => {
    const { chart } = service({
      replicas: 4,
      delivery: DeliveryStrategy.canary({
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
        backgroundAnalysis: { templates: [AnalysisTemplateRef.fromName('success-rate')] },
      }),
    });
    const spec = find(synth(chart), 'Rollout').spec;
    expect(spec.replicas).toBe(4);
    expect(spec.strategy.canary).toMatchObject({ maxUnavailable: 0, analysis: { templates: [{ templateName: 'success-rate' }] } });
  });

  test('custom selector labels and service ports are shared by every object', () => {
    const labels = { app: 'myapp', tier: 'api' };
    for (const delivery of [DeliveryStrategy.deployment(), canary()]) {
      const { chart } = service({ ...common, delivery, selectorLabels: labels, servicePorts: [{ name: 'http', port: 80, targetPort: 8080 }] });
      const objects = synth(chart);
      const workload = objects.find((o) => o.kind === 'Deployment' || o.kind === 'Rollout');
      expect(workload.spec.selector).toEqual({ matchLabels: labels });
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        expect(svc.spec.selector).toEqual(labels);
        expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
      }
      expect(find(objects, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: labels });
    }
  });
});

describe('container port protocols (the CRD and the API server default them)', () => {
  test('TCP written when unset, a set protocol kept, init containers too; the Deployment gets the same pod spec', () => {
    const containers: kplus.ContainerProps[] = [{ image: 'dns:1', ports: [{ number: 53, protocol: kplus.Protocol.UDP }, { number: 8080 }] }];
    const initContainers: kplus.ContainerProps[] = [{ image: 'init:1', portNumber: 9000 }];
    const off = service({ containers, initContainers });
    const on = service({ containers, initContainers, delivery: DeliveryStrategy.canary() });
    const deployment = find(synth(off.chart), 'Deployment');
    const rollout = find(synth(on.chart), 'Rollout');
    expect(rollout.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 53, protocol: 'UDP' }, { containerPort: 8080, protocol: 'TCP' }]);
    expect(rollout.spec.template.spec.initContainers[0].ports).toEqual([{ containerPort: 9000, protocol: 'TCP' }]);
    expect(deployment.spec.template.spec).toEqual(rollout.spec.template.spec);
  });
});

describe('migration from a running Deployment (workloadRef)', () => {
  test('the Deployment stays byte-identical; the Rollout references it with an empty template', () => {
    const off = byKey(synth(service(common).chart));
    const { chart } = service({ ...common, delivery: DeliveryStrategy.canary(), migrateFromDeployment: DeploymentScaleDown.PROGRESSIVELY });
    const objects = synth(chart);
    const on = byKey(objects);
    expect(on.get('Deployment/myapp')).toEqual(off.get('Deployment/myapp'));
    const rollout = on.get('Rollout/myapp');
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp', scaleDown: 'progressively' });
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'myapp' } });
    expect(on.get('HorizontalPodAutoscaler/myapp').spec.scaleTargetRef.kind).toBe('Rollout');
    expect(on.get('Service/myapp')).toEqual(off.get('Service/myapp'));
    expect(on.get('Service/myapp-canary').spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('needs a rollout strategy', () => {
    expect(constructionError(() => service({ migrateFromDeployment: DeploymentScaleDown.ON_SUCCESS }))).toBe(
      '[test/myapp] migrateFromDeployment: spec.workloadRef: a migration from a Deployment needs a Rollout to migrate to (allowed: DeliveryStrategy.canary() or DeliveryStrategy.blueGreen() with migrateFromDeployment)');
  });
});

describe('ProgressiveService errors', () => {
  test('a disruption budget with both minAvailable and maxUnavailable', () => {
    expect(constructionError(() => service({ disruptionBudget: { minAvailable: absolute(1), maxUnavailable: absolute(1) } }))).toBe(
      '[test/myapp] disruptionBudget: spec.minAvailable: minAvailable and maxUnavailable cannot be both set (allowed: one of minAvailable, maxUnavailable)');
  });

  test('the default disruption budget allows one pod down', () => {
    const { chart } = service({ disruptionBudget: {} });
    expect(find(synth(chart), 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('no container port and no servicePorts', () => {
    expect(constructionError(() => service({ containers: [{ image: 'worker:1' }] }))).toBe(
      '[test/myapp] containers: spec.template.spec.containers[].ports: cannot create Service "myapp": no container declares a port (allowed: a container with portNumber or ports, or servicePorts)');
  });

  test('the Rollout\'s rules still apply (rule 13 through the switch)', () => {
    const { chart } = service({ delivery: DeliveryStrategy.canary({ maxSurge: absolute(0), maxUnavailable: absolute(0) }) });
    expect(validationErrors(chart.node.root as App)).toEqual([
      '[test/myapp/Workload] maxSurge: spec.strategy.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero (allowed: maxSurge or maxUnavailable above zero)',
    ]);
  });

  test('a patched Service selector is caught against the Rollout\'s pods (rule 37)', () => {
    const { chart, service: s } = service({ delivery: DeliveryStrategy.blueGreen() });
    ApiObject.of(s.service).addJsonPatch(JsonPatch.add('/spec/selector/tier', 'api'));
    expect(validationErrors(chart.node.root as App)).toEqual([
      expect.stringMatching(/^\[test\/myapp\/Workload\] activeService: spec\.strategy\.blueGreen\.activeService: Invalid value: "myapp": Service "myapp" has unmatch label "tier" in rollout/),
    ]);
  });
});

test('output is deterministic', () => {
  const render = () => JSON.stringify(synth(service({ ...common, delivery: DeliveryStrategy.blueGreen() }).chart));
  expect(render()).toBe(render());
});
