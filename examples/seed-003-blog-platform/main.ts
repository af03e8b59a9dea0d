/**
 * Seed 003, blog platform: the backend released as a canary on ingress-nginx in staging and in
 * production, 10% → 25% → 50% → 100%, each step gated by analysis measured every 30 seconds for
 * the step's duration (staging 3/5/10 minutes, production 5/10/15 minutes), with the team's
 * per-environment thresholds. `X-Canary: true` reaches the canary at any weight.
 */
import { App, Chart, ChartProps, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AnalysisCheck,
  ArgoCdApplication,
  CanaryRollout,
  CanaryStep,
  NginxTrafficSplit,
  NotificationTarget,
  ProgressiveApp,
  PrometheusAnalysis,
  RolloutAlerts,
  RolloutDashboard,
  RolloutNotifications,
  RolloutNotificationTrigger,
  RolloutSelection,
  RolloutServiceMonitor,
} from '../../src';

/** What differs between staging and production. */
export interface Environment {
  readonly name: string;
  readonly host: string;
  /** How long the canary stays at 10 %, 25 % and 50 %, measured the whole time. */
  readonly stepDurations: [Duration, Duration, Duration];
  readonly minSuccessRate: number;
  readonly maxP95Latency: Duration;
  readonly maxCpu: number;
  readonly maxMemory: number;
  readonly minReady: number;
}

export const STAGING: Environment = {
  name: 'staging',
  host: 'backend-staging.local',
  stepDurations: [Duration.minutes(3), Duration.minutes(5), Duration.minutes(10)],
  minSuccessRate: 0.97,
  maxP95Latency: Duration.millis(300),
  maxCpu: 0.75,
  maxMemory: 0.8,
  minReady: 0.99,
};

export const PRODUCTION: Environment = {
  name: 'production',
  host: 'backend.local',
  stepDurations: [Duration.minutes(5), Duration.minutes(10), Duration.minutes(15)],
  minSuccessRate: 0.99,
  maxP95Latency: Duration.millis(200),
  maxCpu: 0.7,
  maxMemory: 0.75,
  minReady: 0.999,
};

const INTERVAL = Duration.seconds(30);

export class BlogPlatformChart extends Chart {
  public readonly rollout: CanaryRollout;

  constructor(scope: Construct, id: string, env: Environment, props: ChartProps = {}) {
    super(scope, id, { namespace: env.name, ...props });

    const traffic = new NginxTrafficSplit(this, 'traffic', {
      host: env.host,
      ingressName: 'backend-ingress',
      canaryHeader: { name: 'X-Canary', value: 'true' },
    });

    // Request checks: 2 failures abort; resource and readiness checks: the first failure aborts.
    const successRate = AnalysisCheck.successRate({ atLeast: env.minSuccessRate, failuresToAbort: 2 });
    const latency = AnalysisCheck.latency({ percentile: 95, below: env.maxP95Latency, failuresToAbort: 2 });
    const resources = [
      AnalysisCheck.cpu({ atMost: env.maxCpu, failuresToAbort: 1 }),
      AnalysisCheck.memory({ atMost: env.maxMemory, failuresToAbort: 1 }),
      AnalysisCheck.readiness({ atLeast: env.minReady, failuresToAbort: 1 }),
    ];
    const gate = (step: number, checks: AnalysisCheck[]) => CanaryStep.analysis({
      templates: [new PrometheusAnalysis(this, `step-${step}`, {
        metadata: { name: `backend-step-${step}` },
        address: 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090',
        checks,
        interval: INTERVAL,
        count: env.stepDurations[step - 1].toSeconds() / INTERVAL.toSeconds(),
      })],
    });

    this.rollout = new CanaryRollout(this, 'backend', {
      metadata: { name: 'backend' },
      containers: [{
        name: 'backend',
        image: 'blog-platform/backend:1.4.0',
        portNumber: 8000,
        readiness: kplus.Probe.fromHttpGet('/health'),
        resources: {
          cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
        },
      }],
      replicas: 3,
      trafficSplit: traffic,
      steps: [
        CanaryStep.weight(10), gate(1, [successRate]),
        CanaryStep.weight(25), gate(2, [successRate, latency]),
        CanaryStep.weight(50), gate(3, [successRate, latency, ...resources]),
      ],
    });

    // The blog platform dashboard (request rate, error rate, P95, CPU, memory, readiness, canary vs
    // stable), a webhook on every release event, the ServiceMonitor the "metrics not found"
    // runbook asks for, and the Argo CD Application.
    new RolloutAlerts(this, 'alerts', { rollouts: RolloutSelection.one(this.rollout) });
    new RolloutDashboard(this, 'dashboard', { rollout: this.rollout, folder: 'Blog platform' });
    new RolloutNotifications(this, 'notifications', {
      rollout: this.rollout,
      subscriptions: [{
        triggers: [
          RolloutNotificationTrigger.ROLLOUT_COMPLETED,
          RolloutNotificationTrigger.ROLLOUT_ABORTED,
          RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
        ],
        targets: [NotificationTarget.webhook('blog-deploys')],
      }],
    });
    new RolloutServiceMonitor(this, 'metrics', { rollout: this.rollout, metadata: { labels: { release: 'kube-prometheus-stack' } } });
    new ArgoCdApplication(this, 'application', {
      metadata: { name: `blog-backend-${env.name}` },
      repoUrl: 'https://github.com/blog-platform/deploy',
      path: 'dist/seed-003-blog-platform',
      destinationNamespace: env.name,
      syncs: [this],
    });
    ArgoCdApplication.orderTemplatesFirst(this);
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-003-blog-platform. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  new BlogPlatformChart(app, 'staging', STAGING);
  new BlogPlatformChart(app, 'production', PRODUCTION);
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
