/**
 * Seed 004, Gateway API variant: myapp-prod released with the production canary (10/25/50/75%,
 * pauses of 10, 10, 15 and 10 minutes) on an HTTPRoute attached to the shared `platform-gateway`
 * in istio-system, through the Argo Rollouts Gateway API plugin; the HPA targets the Rollout.
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ArgoCdApplication, CanaryRollout, CanaryStep, GatewayApiPlugin, GatewayApiTrafficSplit, ProgressiveApp } from '../../src';

export class MyAppChart extends Chart {
  public readonly rollout: CanaryRollout;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'prod', ...props });

    // HTTPRoute `myapp-prod`: myapp-prod-stable (100) / myapp-prod-canary (0).
    const traffic = new GatewayApiTrafficSplit(this, 'traffic', {
      gateways: [{ name: 'platform-gateway', namespace: 'istio-system' }],
      hostnames: ['myapp.example.com'],
    });

    this.rollout = new CanaryRollout(this, 'myapp', {
      metadata: { name: 'myapp-prod' },
      containers: [{
        name: 'myapp',
        image: 'registry.example.com/myapp:1.4.2',
        portNumber: 8080,
        readiness: kplus.Probe.fromHttpGet('/health'),
      }],
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
      trafficSplit: traffic,
      steps: [
        CanaryStep.weight(10), CanaryStep.pause(Duration.minutes(10)),
        CanaryStep.weight(25), CanaryStep.pause(Duration.minutes(10)),
        CanaryStep.weight(50), CanaryStep.pause(Duration.minutes(15)),
        CanaryStep.weight(75), CanaryStep.pause(Duration.minutes(10)),
      ],
    });
  }
}

/**
 * The plugin registration (`argo-rollouts-config` and RBAC in argo-rollouts): only for the team that
 * owns the controller's namespace. Restart the controller after the first sync.
 */
export class RolloutsPluginChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'argo-rollouts', ...props });
    new GatewayApiPlugin(this, 'gateway-api-plugin');
  }
}

/**
 * The Argo CD Application that syncs the service (not the plugin chart); it ignores the backendRef
 * weights the plugin writes into the HTTPRoute and the Services' selectors the controller sets.
 */
export class MyAppDeliveryChart extends Chart {
  constructor(scope: Construct, id: string, service: Construct) {
    super(scope, id);
    new ArgoCdApplication(this, 'application', {
      metadata: { name: 'myapp-prod' },
      repoUrl: 'https://github.com/example/platform',
      targetRevision: 'main',
      path: 'dist/seed-004-gateway-api',
      destinationNamespace: 'prod',
      syncs: [service],
    });
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-004-gateway-api. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  const service = new MyAppChart(app, 'myapp-prod');
  new MyAppDeliveryChart(app, 'argocd', service);
  new RolloutsPluginChart(app, 'argo-rollouts-plugins');
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
