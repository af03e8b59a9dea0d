/**
 * Seed 004, blue-green variant (`values-bluegreen.yaml`, for database migrations and breaking
 * changes): the new version runs behind a preview Service and a preview Ingress, the platform's
 * success-rate template analyses it before the cutover, promotion is manual and the old version
 * keeps running 5 minutes after it (the rollback window). The HPA targets the Rollout.
 */
import { App, Chart, ChartProps, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisArgument, AnalysisTemplateRef, EnvironmentProfile, ProgressiveApp, ProgressiveService } from '../../src';

/** The seed's `success-rate` AnalysisTemplate (count 5, interval 60s), installed by the platform. */
const successRate = AnalysisTemplateRef.fromName('success-rate', { requiredArgs: ['service-name'], metricNames: ['success-rate'] });

export class BlueGreenChart extends Chart {
  public readonly service: ProgressiveService;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'prod', ...props });
    this.service = new ProgressiveService(this, 'myapp', {
      metadata: { name: 'myapp' },
      containers: [{
        name: 'myapp',
        image: 'registry.example.com/myapp:2.0.0',
        portNumber: 8080,
        readiness: kplus.Probe.fromHttpGet('/health'),
        resources: {
          cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
        },
      }],
      autoscaling: { minReplicas: 3, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
      disruptionBudget: { minAvailable: kplus.PercentOrAbsolute.percent(50) },
      // autoPromotionEnabled: false and scaleDownDelaySeconds: 300 come from the production profile.
      delivery: EnvironmentProfile.production().blueGreenDelivery({
        previewReplicaCount: 1,
        prePromotionAnalysis: {
          templates: [successRate],
          args: [AnalysisArgument.value('service-name', 'myapp-preview')],
        },
        previewIngress: {
          host: 'preview.myapp.example.com',
          className: 'nginx',
          tlsSecretName: 'myapp-preview-tls',
          annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' },
        },
      }),
    });
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-004-blue-green. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  new BlueGreenChart(app, 'myapp-bluegreen');
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
