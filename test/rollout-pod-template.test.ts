import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenRollout, CanaryRollout, DeliveryStrategy, ProgressiveService } from '../src';
import { find, synth } from './support/synth';

const container = { image: 'blog/api:1.4.2', portNumber: 8080 };

/** The pod template a factory's workload renders in a chart with the given id, optionally wrapped in another construct. */
function template(kind: string, chartId: string, wrap: boolean, create: (scope: Construct) => void): string {
  const chart = new Chart(Testing.app(), chartId, { namespace: 'blog' });
  create(wrap ? new Construct(chart, 'team-a') : chart);
  return JSON.stringify(find(synth(chart), kind).spec.template);
}

describe('pod templates do not depend on the construct path', () => {
  const cases: Array<[string, string, (scope: Construct) => void]> = [
    ['CanaryRollout', 'Rollout', (s) => new CanaryRollout(s, 'api', { metadata: { name: 'api' }, containers: [container] })],
    ['BlueGreenRollout', 'Rollout', (s) => new BlueGreenRollout(s, 'api', { metadata: { name: 'api' }, containers: [container] })],
    ['ProgressiveService (rollout)', 'Rollout', (s) => new ProgressiveService(s, 'api', { metadata: { name: 'api' }, containers: [container], delivery: DeliveryStrategy.canary() })],
    ['ProgressiveService (deployment)', 'Deployment', (s) => new ProgressiveService(s, 'api', { metadata: { name: 'api' }, containers: [container] })],
  ];
  test.each(cases)('%s: renaming the chart or wrapping it leaves the template byte-identical', (_name, kind, create) => {
    const original = template(kind, 'blog', false, create);
    expect(template(kind, 'blog-platform', false, create)).toBe(original);
    expect(template(kind, 'blog', true, create)).toBe(original);
    expect(original).not.toContain(kplus.Pod.ADDRESS_LABEL);
    expect(JSON.parse(original).metadata.labels).toEqual({ 'app.kubernetes.io/name': 'api' });
  });

  test('the opt-in switch changes only the kind: the Deployment and the Rollout have the same pod template', () => {
    const deployment = template('Deployment', 'blog', false, (s) => new ProgressiveService(s, 'api', { metadata: { name: 'api' }, containers: [container] }));
    const rollout = template('Rollout', 'blog', false, (s) => new ProgressiveService(s, 'api', { metadata: { name: 'api' }, containers: [container], delivery: DeliveryStrategy.canary() }));
    expect(rollout).toBe(deployment);
  });

  test('other pods select a rollout by its selector labels (affinity, network policies)', () => {
    const chart = new Chart(Testing.app(), 'blog', { namespace: 'blog' });
    const api = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [container] });
    const service = new ProgressiveService(chart, 'worker', { metadata: { name: 'worker' }, containers: [container] });
    const cache = new kplus.Deployment(chart, 'cache', { containers: [{ image: 'redis:7', portNumber: 6379 }] });
    cache.scheduling.colocate(api);
    cache.scheduling.separate(service.deployment!);
    const objects = synth(chart);
    const affinity = objects.find((o) => o.kind === 'Deployment' && o.metadata.name !== 'worker').spec.template.spec.affinity;
    expect(affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } }, namespaces: ['blog'],
    });
    expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]).toMatchObject({
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } },
    });
  });
});
