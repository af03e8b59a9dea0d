/**
 * Seed 001, HMCo data platform: portal-services and MLflow released as canaries with
 * weights 20/40/60/80 and 2-minute pauses, maxSurge 25%, maxUnavailable 0, and the platform's
 * shared success-rate / error-rate / latency templates as background analysis. The
 * progressive-delivery chart (`argo-rollouts`) installs the controller, its CRDs and RBAC, and those
 * templates as ClusterAnalysisTemplates the services reference by name.
 */
import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AnalysisArgument, AnalysisTemplateRef, CanaryRollout, CanarySteps, ControllerManifests, ControllerSizing, ProgressiveApp, RolloutsController,
  SharedAnalysisTemplate,
} from '../../src';

/** The templates the progressive-delivery chart installs next to the controller. */
const sharedTemplates = ['success-rate', 'error-rate', 'latency'].map((name) =>
  AnalysisTemplateRef.fromName(name, { requiredArgs: ['service-name'], clusterScope: true }));

const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';

/** Seed 001's thresholds, checked every 60 seconds; the third failure rolls back. */
function sharedTemplate(name: string, condition: string, query: string): any {
  return {
    args: [{ name: 'service-name' }],
    metrics: [{ name, interval: '60s', failureLimit: 2, successCondition: condition, provider: { prometheus: { address: PROMETHEUS, query } } }],
  };
}

/** Seed 001's progressive-delivery chart: the controller, CRDs, RBAC and the shared templates. */
export class ProgressiveDeliveryChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'argo-rollouts', ...props });
    const requests = 'http_requests_total{service="{{args.service-name}}"}';
    new RolloutsController(this, 'controller', {
      manifests: ControllerManifests.bundled(),
      sizing: ControllerSizing.forRollouts(50),
      sharedTemplates: [
        new SharedAnalysisTemplate(this, 'success-rate', {
          name: 'success-rate',
          spec: sharedTemplate('success-rate', 'len(result) > 0 && result[0] >= 0.95',
            `sum(rate(${requests.replace('}', ',status=~"2.."}')}[2m])) / sum(rate(${requests}[2m]))`),
        }),
        new SharedAnalysisTemplate(this, 'error-rate', {
          name: 'error-rate',
          spec: sharedTemplate('error-rate', 'len(result) > 0 && result[0] <= 0.05',
            `sum(rate(${requests.replace('}', ',status=~"5.."}')}[2m])) / sum(rate(${requests}[2m]))`),
        }),
        new SharedAnalysisTemplate(this, 'latency', {
          name: 'latency',
          spec: sharedTemplate('latency', 'len(result) > 0 && result[0] <= 1000',
            'histogram_quantile(0.95, sum(rate(http_request_duration_milliseconds_bucket{service="{{args.service-name}}"}[2m])) by (le))'),
        }),
      ],
    });
  }
}

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
  const app = new ProgressiveApp({ outdir });
  new ProgressiveDeliveryChart(app, 'argo-rollouts');
  new DataPlatformChart(app, 'data-platform');
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
