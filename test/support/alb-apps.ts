import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AlbTrafficSplit, ArgoCdApplication, CanaryRollout, CanaryStep, StringMatch } from '../../src';

/**
 * Two ALB apps for the reconciler and Argo CD diff suites (no example uses ALB), each synthesised
 * into `<outdir>/<name>/` with its ArgoCdApplication in the same file:
 * - `alb-header`: the Ingress the split creates, stickiness, a header route on mid-release
 *   (two headers, one with two values) and a weight step;
 * - `alb-ping-pong`: ping-pong (root Service), two Ingresses of the user's own with a custom
 *   annotation prefix, a header route added and then removed.
 */
export const ALB_APPS = ['alb-header', 'alb-ping-pong'];

const containers = [{ image: 'shop/api:1.0.0', portNumber: 8080 }];

function application(chart: Chart, name: string) {
  new ArgoCdApplication(chart, 'app', { metadata: { name }, repoUrl: 'https://github.com/example/shop', path: `dist/${name}` });
}

export function synthAlbApps(outdir: string): void {
  const header = new App({ outdir: path.join(outdir, 'alb-header') });
  const h = new Chart(header, 'shop', { namespace: 'shop' });
  new CanaryRollout(h, 'api', {
    metadata: { name: 'api' },
    containers,
    trafficSplit: new AlbTrafficSplit(h, 'traffic', { host: 'api.example.com', stickiness: Duration.minutes(10) }),
    steps: [
      CanaryStep.headerRoute({
        name: 'beta',
        match: [
          { name: 'X-Canary', value: StringMatch.exact('true') },
          { name: 'X-Canary', value: StringMatch.exact('yes') },
          { name: 'X-Tenant', value: StringMatch.exact('internal') },
        ],
      }),
      CanaryStep.weight(30),
      CanaryStep.pause(Duration.minutes(5)),
    ],
  });
  application(h, 'alb-header');
  header.synth();

  const pingPong = new App({ outdir: path.join(outdir, 'alb-ping-pong') });
  const p = new Chart(pingPong, 'web', { namespace: 'web' });
  const prefix = 'custom.alb.io';
  const ingress = (name: string, host: string) => new kplus.k8s.KubeIngress(p, name, {
    metadata: { name, annotations: { [`${prefix}/target-type`]: 'ip', [`${prefix}/scheme`]: name === 'public' ? 'internet-facing' : 'internal' } },
    spec: { ingressClassName: 'alb', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-root', port: { name: 'use-annotation' } } } }] } }] },
  });
  new CanaryRollout(p, 'web', {
    metadata: { name: 'web' },
    containers,
    trafficSplit: new AlbTrafficSplit(p, 'traffic', { pingPong: true, annotationPrefix: prefix, ingresses: [ingress('public', 'web.example.com'), ingress('internal', 'web.example.internal')] }),
    steps: [
      CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] }),
      CanaryStep.weight(30),
      CanaryStep.removeHeaderRoute('beta'),
      CanaryStep.pause(Duration.minutes(5)),
    ],
  });
  application(p, 'alb-ping-pong');
  pingPong.synth();
}
