import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRollout, CanarySteps } from '../src';
import { find, schemas, synth, testChart } from './support/synth';

test('smoke', () => {
  const chart = testChart('data-platform');
  new CanaryRollout(chart, 'portal', {
    metadata: { name: 'portal-services' },
    containers: [{ image: 'hmco/portal-services:1.0.1', portNumber: 8080 }],
    maxSurge: kplus.PercentOrAbsolute.percent(25),
    maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
    steps: CanarySteps.progressive({ weights: [20, 40, 60, 80], pause: Duration.minutes(2) }),
    autoscaling: { maxReplicas: 10 },
  });
  const objects = synth(chart);
  console.log(JSON.stringify(objects, null, 1));
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  expect(find(objects, 'Rollout').spec.strategy.canary.maxUnavailable).toBe(0);
});
