/**
 * Seed 004 at scale: N services (SEED_004_SERVICES, default 100; `npx projen bench:fleet` runs 1000) × dev, staging and prod through
 * one ProgressiveApp, one chart (one file) per service and environment, so a change to one service
 * touches its own files only; one ApplicationSet fans them out (RollingSync dev → staging → prod,
 * 50 Applications at a time), each Application ignoring what the controller writes on its objects.
 * At 1000 services argocd.k8s.yaml is about 0.6 MB: apply it server-side (`kubectl apply --server-side`),
 * a client-side apply cannot record it in its 256 KiB last-applied annotation.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ArgoCdApplicationSet, ApplicationSetFolder, EnvironmentProfile, GatewayApiTrafficSplit, ProgressiveApp, ProgressiveService } from '../../src';

const ENVIRONMENTS: Record<string, EnvironmentProfile> = {
  dev: EnvironmentProfile.dev(),
  staging: EnvironmentProfile.staging(),
  prod: EnvironmentProfile.production(),
};
const OUTPUT = 'dist/seed-004-fleet';

/** One service in one environment. */
export class ServiceChart extends Chart {
  constructor(scope: Construct, id: string, service: string, environment: string, props: ChartProps = {}) {
    super(scope, id, { namespace: environment, ...props });
    new ProgressiveService(this, service, {
      metadata: { name: service },
      containers: [{
        name: service,
        image: `registry.example.com/${service}:1.0.0`,
        portNumber: 8080,
        readiness: kplus.Probe.fromHttpGet('/health'),
      }],
      autoscaling: { minReplicas: 2, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
      trafficSplit: new GatewayApiTrafficSplit(this, 'route', {
        gateways: [{ name: 'platform-gateway', namespace: 'istio-system' }],
        hostnames: [`${service}.${environment}.example.com`],
      }),
      delivery: ENVIRONMENTS[environment].canaryDelivery(),
    });
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-004-fleet. */
export function buildApp(outdir?: string, services = Number(process.env.SEED_004_SERVICES ?? 100)): App {
  const app = new ProgressiveApp({ outdir });
  const folders: ApplicationSetFolder[] = [];
  for (let i = 0; i < services; i++) {
    const service = `svc-${i.toString().padStart(4, '0')}`;
    for (const environment of Object.keys(ENVIRONMENTS)) {
      const id = `${service}-${environment}`;
      const chart = new ServiceChart(app, id, service, environment);
      folders.push({ service, environment, path: OUTPUT, include: `${id}.k8s.yaml`, namespace: environment, syncs: [chart] });
    }
  }
  const delivery = new Chart(app, 'argocd');
  new ArgoCdApplicationSet(delivery, 'services', {
    metadata: { name: 'services' },
    repoUrl: 'https://github.com/example/platform',
    targetRevision: 'main',
    folders,
    environments: Object.keys(ENVIRONMENTS),
    maxUpdate: 50,
  });
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
