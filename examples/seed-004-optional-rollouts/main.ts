/**
 * Seed 004, optional progressive delivery: the same service chart for every service and
 * environment, with per-environment values. `rollout: false` gives a standard Deployment,
 * `rollout: true` a canary Rollout (never both); the HPA (3-10 pods at 70% CPU) follows whichever
 * exists, and the Service names and selectors do not change when a team flips the switch.
 *
 * myapp: canary in dev (straight to 100%), staging (50% for 5m) and prod (10/25/50/75%).
 * billing: still a standard Deployment in prod, canary in dev and staging (migrating one
 * environment at a time, as the seed's migration path suggests). Each service owns its HTTPRoute
 * either way: flipping the switch changes the workload kind and the canary Service only.
 */
import { App, Chart, ChartProps, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ArgoCdApplication, DeliveryStrategy, GatewayApiTrafficSplit, EnvironmentProfile, ProgressiveApp, ProgressiveService } from '../../src';

/** A service's values file (`services/<name>/values-<env>.yaml`). */
export interface ServiceValues {
  readonly image: string;
  readonly port: number;
  /** `rollout.enabled`. */
  readonly rollout: boolean;
}

/** The environments, with their release plans. */
const environments: Record<string, EnvironmentProfile> = {
  dev: EnvironmentProfile.dev(),
  staging: EnvironmentProfile.staging(),
  prod: EnvironmentProfile.production(),
};

/** services → environment → values. */
const services: Record<string, Record<string, ServiceValues>> = {
  myapp: {
    dev: { image: 'registry.example.com/myapp:1.5.0-rc1', port: 8080, rollout: true },
    staging: { image: 'registry.example.com/myapp:1.4.2', port: 8080, rollout: true },
    prod: { image: 'registry.example.com/myapp:1.4.2', port: 8080, rollout: true },
  },
  billing: {
    dev: { image: 'registry.example.com/billing:2.1.0', port: 9000, rollout: true },
    staging: { image: 'registry.example.com/billing:2.1.0', port: 9000, rollout: true },
    prod: { image: 'registry.example.com/billing:2.0.7', port: 9000, rollout: false },
  },
};

/** The cw-service chart: one ProgressiveService per service, in one environment's namespace. */
export class EnvironmentChart extends Chart {
  public readonly services: Record<string, ProgressiveService> = {};

  constructor(scope: Construct, id: string, environment: string, props: ChartProps = {}) {
    super(scope, id, { namespace: environment, ...props });
    const profile = environments[environment];
    for (const [name, perEnvironment] of Object.entries(services)) {
      const values = perEnvironment[environment];
      this.services[name] = new ProgressiveService(this, name, {
        metadata: { name },
        containers: [{
          name,
          image: values.image,
          portNumber: values.port,
          readiness: kplus.Probe.fromHttpGet('/health'),
          resources: {
            cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
            memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
          },
        }],
        autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
        disruptionBudget: { maxUnavailable: kplus.PercentOrAbsolute.absolute(1) },
        // The HTTPRoute `<name>` on the shared gateway, whichever workload runs: the Rollout shifts
        // its weights, a plain Deployment gets all of it (billing in prod).
        trafficSplit: new GatewayApiTrafficSplit(this, `${name}-route`, {
          gateways: [{ name: 'platform-gateway', namespace: 'istio-system' }],
          hostnames: [`${name}.${environment}.example.com`],
        }),
        delivery: values.rollout ? profile.canaryDelivery() : DeliveryStrategy.deployment(),
      });
    }
  }
}

/**
 * The Argo CD Application that syncs every environment's chart (each object carries its
 * namespace), ignoring the fields the controller writes on the rollouts' Services.
 */
export class DeliveryChart extends Chart {
  constructor(scope: Construct, id: string, charts: EnvironmentChart[]) {
    super(scope, id);
    new ArgoCdApplication(this, 'application', {
      metadata: { name: 'services' },
      repoUrl: 'https://github.com/example/platform',
      targetRevision: 'main',
      path: 'dist/seed-004-optional-rollouts',
      destinationNamespace: 'prod',
      syncs: charts,
    });
  }
}

/** Builds the app; `synth:examples` writes one manifest per environment to dist/seed-004-optional-rollouts. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  const charts = Object.keys(environments).map((environment) => new EnvironmentChart(app, `services-${environment}`, environment));
  new DeliveryChart(app, 'argocd', charts);
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
