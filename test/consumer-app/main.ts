import { Chart, Duration } from 'cdk8s';
import {
  AnalysisCheck, CanaryRollout, CanarySteps, NginxTrafficSplit, ProgressiveApp, PrometheusAnalysis,
  RolloutAlerts, RolloutDashboard, RolloutSelection,
} from 'cdk8s-argo-rollouts';

const app = new ProgressiveApp();            // an App whose synth is linear in the number of charts
const chart = new Chart(app, 'aragora', { namespace: 'aragora' });
const traffic = new NginxTrafficSplit(chart, 'traffic', {
  host: 'api.aragora.ai', canaryHeader: { name: 'X-Canary', value: 'true' } });
const analysis = new PrometheusAnalysis(chart, 'analysis', {
  address: 'http://prometheus.monitoring.svc.cluster.local:9090',
  checks: [AnalysisCheck.successRate({ atLeast: 0.99 }), AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) }),
           AnalysisCheck.errorRate({ below: 0.01 }), AnalysisCheck.podRestarts({ atMost: 0 })],
  failuresToAbort: 3 });
const rollout = new CanaryRollout(chart, 'aragora', {
  metadata: { name: 'aragora' },
  containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }], replicas: 3,
  trafficSplit: traffic, backgroundAnalysis: { templates: [analysis] },
  // 5 % for 2 minutes, then 20, 50 and 80 % for 5 minutes each, then 100 %: 17 minutes.
  steps: CanarySteps.progressive({ weights: [5, 20, 50, 80], pauses: [2, 5, 5, 5].map((m) => Duration.minutes(m)) }) });
new RolloutAlerts(chart, 'alerts', { rollouts: RolloutSelection.one(rollout) });
new RolloutDashboard(chart, 'dashboard', { rollout });
app.synth();
