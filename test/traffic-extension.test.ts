/**
 * The README's "another traffic router in one file" example, compiled and run: an SMI split on the
 * TrafficSplitBase extension point, with its own objects and a reference check on the final JSON.
 */
import { App, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CanaryRollout, CanaryStep, createSelectorService, renderedCanary, RuleViolation, TrafficSplitBase, TrafficSplitBinding, TrafficSplitTarget,
} from '../src';
import { find, synth, testChart, validationErrors } from './support/synth';

// --- README: smi-traffic-split.ts ---
class SmiTrafficSplit extends TrafficSplitBase {
  private rootService?: kplus.Service;

  constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  protected bindRouter(target: TrafficSplitTarget): TrafficSplitBinding {
    // The root Service selects both versions; the controller creates the SMI TrafficSplit itself.
    this.rootService = createSelectorService(this, 'Root', {
      name: `${target.rollout.name}-root`,
      namespace: target.rollout.metadata.namespace,
      selectorLabels: target.rollout.selectorLabels,
      ports: target.stableService.ports,
    });
    return { trafficRouting: { smi: { rootService: this.rootService.name, trafficSplitName: target.rollout.name } } };
  }

  protected validateTarget(target: TrafficSplitTarget): RuleViolation[] {
    const smi = renderedCanary(target).trafficRouting?.smi ?? {};
    return smi.rootService === this.rootService?.name ? [] : [{
      property: 'trafficSplit',
      field: 'spec.strategy.canary.trafficRouting.smi.rootService',
      message: `root Service "${smi.rootService}" is not the one this split creates`,
      allowed: this.rootService?.name ?? 'none',
    }];
  }
}
// --- end README ---

test('a router written in one file: its objects, the rollout\'s trafficRouting, its checks on the final JSON', () => {
  const chart = testChart('shop');
  const split = new SmiTrafficSplit(chart, 'smi');
  const rollout = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [{ image: 'api:2', portNumber: 8080 }], trafficSplit: split, steps: [CanaryStep.weight(10)] });
  const objects = synth(chart);
  expect(find(objects, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ smi: { rootService: 'api-root', trafficSplitName: 'api' } });
  expect(find(objects, 'Service', 'api-root').spec.selector).toEqual({ 'app.kubernetes.io/name': 'api' });
  (rollout as any).apiObject.addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/smi/rootService', 'other'));
  expect(validationErrors(chart.node.root as App)).toEqual([
    '[test/smi] trafficSplit: spec.strategy.canary.trafficRouting.smi.rootService: root Service "other" is not the one this split creates (allowed: api-root)',
  ]);
});
