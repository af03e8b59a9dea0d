import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRollout, CanaryStep } from '../src';
import { missingPeerMessage } from '../src/peer-dependencies';
import { requireCdk8sPlus27 } from '../src/validation/cdk8s-plus';

// test/package/consumer-app.sh checks both with the real packages (cdk8s-plus-33 installed, cdk8s-plus-27 removed).
describe('what a consumer must install or change, in one sentence', () => {
  test('a missing peer dependency names the package and the command', () => {
    const resolve = (name: string) => {
      if (name === 'cdk8s-plus-27') throw new Error(`Cannot find module '${name}'`);
      return name;
    };
    expect(missingPeerMessage(resolve)).toEqual(
      'cdk8s-argo-rollouts needs the peer dependency cdk8s-plus-27@^2.9.5, which is not installed: run `npm install cdk8s-plus-27@^2.9.5` '
      + '(cdk8s init installs a newer cdk8s-plus, whose classes these constructs do not accept; both can be installed side by side)');
    expect(missingPeerMessage()).toBeUndefined();
  });

  test('an object of another cdk8s-plus is refused with what to use instead', () => {
    const chart = Testing.chart();
    // jsii marks every class with its fully qualified name; this one is cdk8s-plus-33's Service.
    class Service {
      public static readonly [Symbol.for('jsii.rtti')] = { fqn: 'cdk8s-plus-33.Service', version: '2.5.57' };
    }
    expect(() => requireCdk8sPlus27(chart, 'stableService', [new Service()])).toThrow(
      `[${chart.node.path}] stableService: stableService: this Service comes from cdk8s-plus-33, but cdk8s-argo-rollouts is built on cdk8s-plus-27 (Kubernetes 1.27): `
      + "create it with cdk8s-plus-27's Service (import * as kplus from 'cdk8s-plus-27') (allowed: a cdk8s-plus-27 Service)");
    const own = new kplus.Service(chart, 'svc', { ports: [{ port: 8080 }] });
    expect(() => new CanaryRollout(chart, 'web', {
      containers: [{ image: 'web:1', portNumber: 8080 }], stableService: own, steps: [CanaryStep.weight(50)],
    })).not.toThrow();
  });
});
