/**
 * Seed 000, aragora: the API behind api.aragora.ai released as a canary on ingress-nginx, with
 * weights 5/20/50/80 and pauses of 2, 5, 5 and 5 minutes. Requests with `X-Canary: true` always
 * reach the canary (nginx's canary-by-header, since `setHeaderRoute` steps do not work with nginx).
 * Background analysis: success >= 99 %, P99 < 500 ms, 5xx < 1 %, no restarts; 3 failures abort.
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
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
  SuccessStatuses,
} from '../../src';

export class AragoraChart extends Chart {
  public readonly rollout: CanaryRollout;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'aragora', ...props });

    // The stable Ingress `aragora-stable` → Service `aragora-stable`; the controller adds the canary Ingress.
    const traffic = new NginxTrafficSplit(this, 'traffic', {
      host: 'api.aragora.ai',
      tlsSecretName: 'aragora-tls',
      canaryHeader: { name: 'X-Canary', value: 'true' },
    });

    // The team's four checks on the canary's nginx traffic and pods; any of them failing 3 times aborts.
    const analysis = new PrometheusAnalysis(this, 'analysis', {
      metadata: { name: 'aragora-canary-analysis' },
      address: 'http://prometheus.monitoring.svc.cluster.local:9090',
      checks: [
        AnalysisCheck.successRate({ atLeast: 0.99, successStatuses: SuccessStatuses.only2xx() }),
        AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) }),
        AnalysisCheck.errorRate({ below: 0.01 }),
        AnalysisCheck.podRestarts({ atMost: 0 }),
      ],
      interval: Duration.minutes(1),
      failuresToAbort: 3,
    });

    this.rollout = new CanaryRollout(this, 'aragora', {
      metadata: { name: 'aragora' },
      containers: [{
        name: 'aragora',
        image: 'aragora/aragora:v1.1.0',
        portNumber: 8080,
        readiness: kplus.Probe.fromHttpGet('/health'),
      }],
      replicas: 3,
      trafficSplit: traffic,
      backgroundAnalysis: { templates: [analysis] },
      steps: [
        CanaryStep.weight(5), CanaryStep.pause(Duration.minutes(2)),
        CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(5)),
        CanaryStep.weight(50), CanaryStep.pause(Duration.minutes(5)),
        CanaryStep.weight(80), CanaryStep.pause(Duration.minutes(5)),
      ],
    });

    // Its alerts (aborted, degraded, stalled, analysis failed...), dashboard, Slack on completed /
    // aborted / analysis failed, and Prometheus scraping its pods; the analysis template syncs first.
    new RolloutAlerts(this, 'alerts', { rollouts: RolloutSelection.one(this.rollout) });
    new RolloutDashboard(this, 'dashboard', { rollout: this.rollout, folder: 'Aragora' });
    new RolloutNotifications(this, 'notifications', {
      rollout: this.rollout,
      subscriptions: [{
        triggers: [
          RolloutNotificationTrigger.ROLLOUT_COMPLETED,
          RolloutNotificationTrigger.ROLLOUT_ABORTED,
          RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
        ],
        targets: [NotificationTarget.slack('aragora-deploys')],
      }],
    });
    new RolloutServiceMonitor(this, 'metrics', { rollout: this.rollout });
    ArgoCdApplication.orderTemplatesFirst(this);
  }
}

/** The Argo CD Application that syncs this example's output from Git. */
export class AragoraDeliveryChart extends Chart {
  constructor(scope: Construct, id: string, service: Construct) {
    super(scope, id);
    new ArgoCdApplication(this, 'application', {
      metadata: { name: 'aragora-rollout' },
      project: 'aragora',
      repoUrl: 'https://github.com/an0mium/aragora',
      targetRevision: 'main',
      path: 'dist/seed-000-aragora',
      destinationNamespace: 'aragora',
      syncs: [service],
    });
  }
}

/** Builds the app; `synth:examples` writes it to dist/seed-000-aragora. */
export function buildApp(outdir?: string): App {
  const app = new ProgressiveApp({ outdir });
  const service = new AragoraChart(app, 'aragora');
  new AragoraDeliveryChart(app, 'argocd', service);
  return app;
}

if (require.main === module) buildApp(process.env.OUTDIR).synth();
