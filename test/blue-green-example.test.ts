import { Testing } from 'cdk8s';
import { find, schemas } from './support/synth';
import { buildApp } from '../examples/seed-004-blue-green/main';

describe('seed 004: blue-green variant', () => {
  const objects = Testing.synth(buildApp().charts[0]);

  test('manual promotion, 5-minute rollback window, pre-promotion analysis of the preview', () => {
    expect(find(objects, 'Rollout', 'myapp').spec.strategy.blueGreen).toEqual({
      activeService: 'myapp',
      previewService: 'myapp-preview',
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 300,
      previewReplicaCount: 1,
      prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'myapp-preview' }] },
    });
  });

  test('the preview Ingress routes to the preview Service; the HPA targets the Rollout', () => {
    const ingress = find(objects, 'Ingress', 'myapp-preview');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'myapp-preview', port: { number: 8080 } });
    expect(find(objects, 'HorizontalPodAutoscaler', 'myapp').spec.scaleTargetRef.kind).toBe('Rollout');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'HorizontalPodAutoscaler/myapp', 'Ingress/myapp-preview', 'PodDisruptionBudget/myapp', 'Rollout/myapp', 'Service/myapp', 'Service/myapp-preview',
    ]);
  });

  test('every object is valid against its schema', () => {
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });
});
