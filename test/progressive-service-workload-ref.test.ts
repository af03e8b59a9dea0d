import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenRollout, CanaryRollout, CanaryRolloutProps, DeploymentScaleDown, WorkloadRef } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

/** A Deployment like the one a team runs today, selecting `app: legacy`. */
function legacyDeployment(chart: Chart, labels = { app: 'legacy' }): kplus.Deployment {
  const deployment = new kplus.Deployment(chart, 'legacy', {
    metadata: { name: 'legacy' }, select: false, containers: [{ image: 'legacy:3', portNumber: 9000 }],
  });
  deployment.select(kplus.LabelSelector.of({ labels }));
  for (const [k, v] of Object.entries(labels)) deployment.podMetadata.addLabel(k, v);
  return deployment;
}

describe('workloadRef', () => {
  test('a Deployment by name: workloadRef with scaleDown, no pod template, Services on servicePorts', () => {
    const chart = testChart('prod');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      workloadRef: WorkloadRef.fromDeploymentName('api-deployment', DeploymentScaleDown.ON_SUCCESS),
      servicePorts: [{ port: 80, targetPort: 8080 }],
    });
    const objects = synth(chart);
    const spec = find(objects, 'Rollout').spec;
    expect(spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api-deployment', scaleDown: 'onsuccess' });
    expect(spec.template).toBeUndefined();
    expect(spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
    expect(find(objects, 'Service', 'api-stable').spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('the scale-down mode is omitted when not given (the controller\'s never)', () => {
    const chart = testChart('prod');
    new BlueGreenRollout(chart, 'api', { metadata: { name: 'api' }, workloadRef: WorkloadRef.fromDeploymentName('api'), servicePorts: [{ port: 80 }] });
    expect(find(synth(chart), 'Rollout').spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
  });

  test('a Deployment of this app: Service ports and HPA containers come from it', () => {
    const chart = testChart('prod');
    const deployment = legacyDeployment(chart);
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'legacy-rollout' },
      selectorLabels: { app: 'legacy' },
      workloadRef: WorkloadRef.fromDeployment(deployment, DeploymentScaleDown.PROGRESSIVELY),
    });
    const objects = synth(chart);
    expect(find(objects, 'Rollout').spec.workloadRef.name).toBe('legacy');
    expect(find(objects, 'Service', 'legacy-rollout-stable').spec).toMatchObject({ selector: { app: 'legacy' }, ports: [{ port: 9000, targetPort: 9000 }] });
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('selector labels the referenced Deployment\'s pods do not carry: a synth error', () => {
    const chart = testChart('prod');
    const deployment = legacyDeployment(chart);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, workloadRef: WorkloadRef.fromDeployment(deployment) });
    const errors = validationErrors(chart.node.root as App);
    expect(errors[0]).toMatch(/^\[test\/api\] selectorLabels: spec\.selector: Invalid value: \{"matchLabels":\{"app\.kubernetes\.io\/name":"api"\}\}: `selector` does not match template `labels` of Deployment "legacy" \(allowed: labels of its pods: \{"app":"legacy",/);
    // The Services select labels the Deployment's pods do not carry, either (rule 37).
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining('Service "api-stable" has unmatch label "app.kubernetes.io/name" in rollout')]));
  });

  test('rule 4: containers with workloadRef are a construction error', () => {
    for (const [property, extra] of [
      ['containers', { containers: [{ image: 'x:1' }] }],
      ['podMetadata', { podMetadata: { labels: { a: 'b' } } }],
    ] as Array<[string, Partial<CanaryRolloutProps>]>) {
      const message = constructionError(() => new CanaryRollout(testChart(), 'api', {
        metadata: { name: 'api' }, workloadRef: WorkloadRef.fromDeploymentName('api'), servicePorts: [{ port: 80 }], ...extra,
      }));
      expect(message).toBe(`[test/api] ${property}: spec.template: Internal error: template must be empty for workload reference rollout (allowed: no ${property}: the pod template comes from Deployment "api")`);
    }
  });

  test('rule 4 at synth time: a template patched in next to workloadRef', () => {
    const chart = testChart('prod');
    const r = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, workloadRef: WorkloadRef.fromDeploymentName('api'), servicePorts: [{ port: 80 }] });
    ApiObject.of(r).addJsonPatch(JsonPatch.add('/spec/template', { metadata: { labels: { app: 'api' } } }));
    expect(validationErrors(chart.node.root as App)).toContain(
      '[test/api] workloadRef: spec.template: Internal error: template must be empty for workload reference rollout (allowed: a rollout with workloadRef and no pod template labels or annotations)');
  });

  test('a Deployment in another namespace is a construction error', () => {
    const app = Testing.app();
    const deployment = legacyDeployment(new Chart(app, 'legacy', { namespace: 'old' }));
    const message = constructionError(() => new CanaryRollout(new Chart(app, 'new', { namespace: 'prod' }), 'api', {
      metadata: { name: 'api' }, selectorLabels: { app: 'legacy' }, workloadRef: WorkloadRef.fromDeployment(deployment),
    }));
    expect(message).toBe('[new/api] workloadRef: spec.workloadRef.name: Deployment "legacy" is in namespace "old", the rollout in "prod" (allowed: a Deployment in the rollout\'s namespace)');
  });
});
