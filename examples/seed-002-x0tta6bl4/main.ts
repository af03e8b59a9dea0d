/**
 * Seed 002, x0tta6bl4: proxy-api released as a canary on Istio (VirtualService `proxy-api`), with
 * the team's step table: 5% for 2 minutes, smoke tests, 10% for 5 minutes, error rate, 25% for 10
 * minutes, latency, 50% for 15 minutes, full analysis, 75% for 10 minutes, pre-promotion checks.
 * Requests with `x-canary: true` reach the canary from the first step (an Istio header route).
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AnalysisCheck, ArgoCdApplication, CanaryRollout, CanaryStep,
  IstioTrafficSplit, ProgressiveApp, PrometheusAnalysis, QueryTarget, RequestMetrics, StringMatch,
  TrafficRole, WebAnalysis, WebCheck,
} from '../../src';

const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';

/** The team's five analyses; each runs as an analysis step, so each measures a fixed number of times. */
function analyses(scope: Construct) {
  const steps = { address: PROMETHEUS, interval: Duration.minutes(1), count: 3, failuresToAbort: 2 };
  return {
    // /health, /metrics and /api/v1/status of the canary Service answer 2xx.
    smokeTest: new WebAnalysis(scope, 'smoke-test', {
      metadata: { name: 'smoke-test' },
      checks: [WebCheck.http({ path: '/health' }), WebCheck.http({ path: '/metrics' }), WebCheck.http({ path: '/api/v1/status' })],
      count: 1,
    }),
    // Error rate < 5 % succeeds, >= 10 % fails, in between is inconclusive (the rollout pauses); success rate > 95 %.
    errorRate: new PrometheusAnalysis(scope, 'error-rate-analysis', {
      metadata: { name: 'error-rate-analysis' },
      ...steps,
      checks: [
        AnalysisCheck.promql({
          name: 'error-rate',
          query: RequestMetrics.istio().errorRatio(TrafficRole.CANARY, QueryTarget.analysisArgs(), Duration.minutes(2)),
          successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] < 0.05',
          failureCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.1',
        }),
        AnalysisCheck.successRate({ atLeast: 0.95 }),
      ],
    }),
    // P50 < 100 ms, P99 < 500 ms, canary no more than 20 % slower than stable.
    latency: new PrometheusAnalysis(scope, 'latency-analysis', {
      metadata: { name: 'latency-analysis' },
      ...steps,
      checks: [
        AnalysisCheck.latency({ percentile: 50, below: Duration.millis(100) }),
        AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) }),
        AnalysisCheck.canaryVsStable({ maxSlowdown: 0.2 }),
      ],
    }),
    full: new PrometheusAnalysis(scope, 'full-analysis', {
      metadata: { name: 'full-analysis' },
      ...steps,
      checks: [
        AnalysisCheck.errorRate({ below: 0.02 }),
        AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) }),
        AnalysisCheck.podRestarts({ atMost: 0 }),
        AnalysisCheck.memory({ atMost: 0.85 }),
        AnalysisCheck.cpu({ atMost: 0.8 }),
      ],
    }),
    // Final health check, and not one 5xx from the canary in the last 5 minutes.
    prePromotion: new PrometheusAnalysis(scope, 'pre-promotion-analysis', {
      metadata: { name: 'pre-promotion-analysis' },
      address: PROMETHEUS,
      count: 1,
      checks: [
        AnalysisCheck.readiness({ atLeast: 1 }),
        AnalysisCheck.promql({
          name: 'no-errors-5m',
          query: `sum(increase(istio_requests_total{${RequestMetrics.istio().selector(TrafficRole.CANARY, QueryTarget.analysisArgs())},response_code=~"5.*"}[5m])) or vector(0)`,
          successCondition: 'len(result) > 0 && result[0] == 0',
        }),
      ],
    }),
  };
}

export class ProxyApiChart extends Chart {
  public readonly rollout: CanaryRollout;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'x0tta6bl4-production', ...props });

    // VirtualService `proxy-api`: route `primary` → proxy-api-stable (100) / proxy-api-canary (0).
    const traffic = new IstioTrafficSplit(this, 'traffic', {
      hosts: ['proxy-api.x0tta6bl4.io'],
      gateways: ['istio-system/public-gateway'],
    });

    const { smokeTest, errorRate, latency, full: fullAnalysis, prePromotion } = analyses(this);
    this.rollout = new CanaryRollout(this, 'proxy-api', {
      metadata: { name: 'proxy-api' },
      containers: [{
        name: 'proxy-api',
        image: 'x0tta6bl4/proxy-orchestrator:v1.1.0',
        portNumber: 8080,
        readiness: kplus.Probe.fromHttpGet('/health'),
      }],
      replicas: 3,
      trafficSplit: traffic,
      steps: [
        CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] }),
        CanaryStep.weight(5), CanaryStep.pause(Duration.minutes(2)),
        CanaryStep.analysis({ templates: [smokeTest] }),
        CanaryStep.weight(10), CanaryStep.pause(Duration.minutes(5)),
        CanaryStep.analysis({ templates: [errorRate] }),
        CanaryStep.weight(25), CanaryStep.pause(Duration.minutes(10)),
        CanaryStep.analysis({ templates: [latency] }),
        CanaryStep.weight(50), CanaryStep.pause(Duration.minutes(15)),
        CanaryStep.analysis({ templates: [fullAnalysis] }),
        CanaryStep.weight(75), CanaryStep.pause(Duration.minutes(10)),
        CanaryStep.analysis({ templates: [prePromotion] }),
      ],
    });
  }
}

/**
 * The Argo CD Application that syncs this example's output; it ignores the route weights and the
 * `x-canary` header route the controller writes into the VirtualService mid-release.
 */
export class ProxyApiDeliveryChart extends Chart {
  constructor(scope: Construct, id: string, service: Construct) {
    super(scope, id);
    new ArgoCdApplication(this, 'application', {
      metadata: { name: 'proxy-api' },
      repoUrl: 'https://github.com/x0tta6bl4/x0tta6bl4',
      targetRevision: 'main',
      path: 'dist/seed-002-x0tta6bl4',
      destinationNamespace: 'x0tta6bl4-production',
      syncs: [service],
    });
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-002-x0tta6bl4. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  const service = new ProxyApiChart(app, 'proxy-api');
  new ProxyApiDeliveryChart(app, 'argocd', service);
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
