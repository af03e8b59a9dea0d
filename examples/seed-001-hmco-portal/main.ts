/**
 * Seed 001, HMCo data platform: portal-services and MLflow released as canaries with
 * weights 20/40/60/80 and 2-minute pauses, maxSurge 25%, maxUnavailable 0, and the platform's
 * shared success-rate / error-rate / latency templates as background analysis.
 */
import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisArgument, AnalysisTemplateRef, CanaryRollout, CanarySteps } from '../../src';

/** The templates the progressive-delivery chart installs next to the controller. */
const sharedTemplates = ['success-rate', 'error-rate', 'latency'].map((name) =>
  AnalysisTemplateRef.fromName(name, { requiredArgs: ['service-name'] }));

export interface ServiceRolloutProps {
  readonly image: string;
  readonly port: number;
  readonly replicas: number;
}

export class DataPlatformChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'data-platform', ...props });
    this.service('portal-services', { image: 'hmco/portal-services:1.0.1', port: 8080, replicas: 3 });
    this.service('mlflow', { image: 'hmco/mlflow:2.9.2', port: 5000, replicas: 2 });
  }

  private service(name: string, props: ServiceRolloutProps): CanaryRollout {
    return new CanaryRollout(this, name, {
      metadata: { name },
      containers: [{
        image: props.image,
        portNumber: props.port,
        readiness: kplus.Probe.fromHttpGet('/health'),
        resources: {
          cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
        },
      }],
      replicas: props.replicas,
      maxSurge: kplus.PercentOrAbsolute.percent(25),
      maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      steps: CanarySteps.progressive({ weights: [20, 40, 60, 80], pause: Duration.minutes(2) }),
      backgroundAnalysis: {
        templates: sharedTemplates,
        args: [AnalysisArgument.value('service-name', name)],
      },
    });
  }
}

/** Builds the app; `synth-examples` writes it to dist/seed-001-hmco-portal. */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new DataPlatformChart(app, 'data-platform');
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
