import { Testing } from 'cdk8s';
import { find, schemas } from './support/synth';
import { buildApp } from '../examples/seed-004-optional-rollouts/main';

/** The seed 004 example, one list of objects per environment chart. */
function environments(): Record<string, any[]> {
  const app = buildApp();
  return Object.fromEntries(app.charts.map((chart) => [chart.namespace!, Testing.synth(chart)]));
}

describe('seed 004: optional rollouts, per environment', () => {
  const envs = environments();

  test('myapp is a canary Rollout with each environment\'s steps; the HPA targets it', () => {
    const steps = (env: string) => find(envs[env], 'Rollout', 'myapp').spec.strategy.canary.steps;
    expect(steps('dev')).toEqual([{ setWeight: 100 }]);
    expect(steps('staging')).toEqual([{ setWeight: 50 }, { pause: { duration: '5m' } }]);
    expect(steps('prod')).toEqual([
      { setWeight: 10 }, { pause: { duration: '10m' } }, { setWeight: 25 }, { pause: { duration: '10m' } },
      { setWeight: 50 }, { pause: { duration: '15m' } }, { setWeight: 75 }, { pause: { duration: '10m' } },
    ]);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(find(envs[env], 'HorizontalPodAutoscaler', 'myapp').spec).toMatchObject({
        minReplicas: 3, maxReplicas: 10, scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'myapp' },
      });
      expect(envs[env].filter((o) => o.kind === 'Deployment' && o.metadata.name === 'myapp')).toEqual([]);
    }
  });

  test('billing: rollout off in prod gives a Deployment (never both), and the HPA follows it', () => {
    const prod = envs.prod;
    expect(prod.filter((o) => o.metadata.name === 'billing').map((o) => o.kind).sort()).toEqual([
      'Deployment', 'HTTPRoute', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service',
    ]);
    expect(find(prod, 'HorizontalPodAutoscaler', 'billing').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'billing' });
    // The billing Service is the same as in staging, where billing is a Rollout: only the namespace differs.
    const staging = find(envs.staging, 'Service', 'billing');
    expect(find(prod, 'Service', 'billing')).toEqual({ ...staging, metadata: { ...staging.metadata, namespace: 'prod' } });
  });

  test('billing owns its HTTPRoute either way: the Deployment in prod gets the same route as the Rollout in staging, without the canary backend', () => {
    const prod = find(envs.prod, 'HTTPRoute', 'billing');
    const staging = find(envs.staging, 'HTTPRoute', 'billing');
    expect(prod.metadata).toEqual({ ...staging.metadata, namespace: 'prod' });
    expect(prod.spec.parentRefs).toEqual(staging.spec.parentRefs);
    expect(prod.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'billing', port: 9000, weight: 100 }]);
    expect(staging.spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'billing', port: 9000, weight: 100 },
      { group: '', kind: 'Service', name: 'billing-canary', port: 9000, weight: 0 },
    ]);
    expect(envs.prod.filter((o) => o.metadata.name === 'billing-canary')).toEqual([]);
  });

  test('every object is valid against its schema', () => {
    for (const objects of Object.values(envs)) for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });
});
