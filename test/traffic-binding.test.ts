import { App, Chart } from 'cdk8s';
import { CanaryRollout, GatewayApiTrafficSplit, ITrafficSplit, IstioTrafficSplit, NginxTrafficSplit } from '../src';
import { constructionError, testChart, validationErrors } from './support/synth';

const splits: [string, (chart: Chart) => ITrafficSplit][] = [
  ['NginxTrafficSplit', (chart) => new NginxTrafficSplit(chart, 'traffic', { host: 'api.example.com' })],
  ['IstioTrafficSplit', (chart) => new IstioTrafficSplit(chart, 'traffic')],
  ['GatewayApiTrafficSplit', (chart) => new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw' }] })],
];

function rollout(chart: Chart, name: string, trafficSplit: ITrafficSplit): CanaryRollout {
  return new CanaryRollout(chart, name, { metadata: { name }, containers: [{ image: `${name}:1`, portNumber: 8080 }], trafficSplit });
}

describe.each(splits)('%s', (_kind, create) => {
  test('is bound once: a second rollout is refused, naming both', () => {
    const chart = testChart('shop');
    const split = create(chart);
    rollout(chart, 'cart', split);
    expect(constructionError(() => rollout(chart, 'checkout', split))).toBe(
      '[test/traffic] trafficSplit: spec.strategy.canary.trafficRouting: this split is bound to rollout "cart" (test/cart); rollout "checkout" (test/checkout) cannot use it too (allowed: one traffic split per rollout: create a second split for the second rollout)');
  });

  test('a split no rollout uses is reported at synth time', () => {
    const chart = testChart('shop');
    create(chart);
    expect(validationErrors(App.of(chart) as App)).toEqual([
      expect.stringMatching(/^\[test\/traffic\] trafficSplit: spec.strategy.canary.trafficRouting: \w+TrafficSplit "test\/traffic" is not bound to any rollout, so it creates no routing objects \(allowed: pass it as the trafficSplit of one CanaryRollout or ProgressiveService\)$/),
    ]);
  });

  test('two rollouts with a split each synthesise', () => {
    const chart = testChart('shop');
    rollout(chart, 'cart', create(chart));
    const second = new Chart(App.of(chart) as App, 'second', { namespace: 'shop' });
    rollout(second, 'checkout', create(second));
    expect(validationErrors(App.of(chart) as App)).toEqual([]);
  });
});
