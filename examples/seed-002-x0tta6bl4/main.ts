/**
 * Seed 002, x0tta6bl4: proxy-api released as a canary on Istio (VirtualService `proxy-api`), with
 * the team's step table: 5% for 2 minutes, smoke tests, 10% for 5 minutes, error rate, 25% for 10
 * minutes, latency, 50% for 15 minutes, full analysis, 75% for 10 minutes, pre-promotion checks.
 * Requests with `x-canary: true` reach the canary from the first step (an Istio header route).
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisTemplateRef, CanaryRollout, CanaryStep, IstioTrafficSplit, StringMatch } from '../../src';

/**
 * PLACEHOLDERS: the team's AnalysisTemplates, referred to by name until this example creates them
 * itself (PrometheusAnalysis / WebAnalysis).
 */
const smokeTest = AnalysisTemplateRef.fromName('smoke-test');
const errorRate = AnalysisTemplateRef.fromName('error-rate-analysis');
const latency = AnalysisTemplateRef.fromName('latency-analysis');
const fullAnalysis = AnalysisTemplateRef.fromName('full-analysis');
const prePromotion = AnalysisTemplateRef.fromName('pre-promotion-analysis');

export class ProxyApiChart extends Chart {
  public readonly rollout: CanaryRollout;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'x0tta6bl4-production', ...props });

    // VirtualService `proxy-api`: route `primary` → proxy-api-stable (100) / proxy-api-canary (0).
    const traffic = new IstioTrafficSplit(this, 'traffic', {
      hosts: ['proxy-api.x0tta6bl4.io'],
      gateways: ['istio-system/public-gateway'],
    });

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

/** Builds the app; `synth:examples` writes it to dist/seed-002-x0tta6bl4. */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new ProxyApiChart(app, 'proxy-api');
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
