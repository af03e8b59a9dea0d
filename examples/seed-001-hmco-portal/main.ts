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
  AnalysisArgument, AnalysisCheck, AnalysisTemplateRef, CanaryRollout, CanarySteps, ControllerManifests, ControllerSizing, PrometheusAnalysis,
  ProgressiveApp, RolloutsController,
} from '../../src';

/** The templates the progressive-delivery chart installs next to the controller. */
const sharedTemplates = ['success-rate', 'error-rate', 'latency'].map((name) =>
  AnalysisTemplateRef.fromName(name, { requiredArgs: ['service-name'], clusterScope: true }));

const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';

/** The requests of the service the rollout names in its `service-name` argument. */
const requests = (matchers = '') => `http_requests_total{service="{{args.service-name}}"${matchers}}`;

/** The fraction of the service's requests whose status matches `statusRegex`. */
const statusRatio = (statusRegex: string) =>
  `sum(rate(${requests(`,status=~"${statusRegex}"`)}[2m])) / sum(rate(${requests()}[2m]))`;

/**
 * One of seed 001's ClusterAnalysisTemplates: a single check every 60 seconds whose third failure
 * rolls back.
 */
function sharedTemplate(scope: Construct, name: string, query: string, successCondition: string): PrometheusAnalysis {
  return new PrometheusAnalysis(scope, name, {
    metadata: { name },
    clusterScope: true,
    externalArgs: true, // the rollouts of every namespace run it by name (AnalysisTemplateRef) and pass service-name
    address: PROMETHEUS,
    interval: Duration.seconds(60),
    failuresToAbort: 3,
    checks: [AnalysisCheck.promql({ name, query, successCondition })],
  });
}

/** Seed 001's progressive-delivery chart: the controller, CRDs, RBAC and the shared templates. */
export class ProgressiveDeliveryChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'argo-rollouts', ...props });
    new RolloutsController(this, 'controller', {
      manifests: ControllerManifests.bundled(),
      sizing: ControllerSizing.forRollouts(50),
      sharedTemplates: [
        // success rate >= 95% (2xx), error rate <= 5% (5xx), p95 latency <= 1000 ms
        sharedTemplate(this, 'success-rate', statusRatio('2..'), 'len(result) > 0 && result[0] >= 0.95'),
        sharedTemplate(this, 'error-rate', statusRatio('5..'), 'len(result) > 0 && result[0] <= 0.05'),
        sharedTemplate(this, 'latency',
          'histogram_quantile(0.95, sum(rate(http_request_duration_milliseconds_bucket{service="{{args.service-name}}"}[2m])) by (le))',
          'len(result) > 0 && result[0] <= 1000'),
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
