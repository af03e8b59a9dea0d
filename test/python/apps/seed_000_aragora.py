"""Seed 000, aragora, in Python: the same app as examples/seed-000-aragora/main.ts."""
from cdk8s import App, Chart, Duration
import cdk8s_plus_27 as kplus
from constructs import Construct
from cdk8s_argo_rollouts import (
    AnalysisCheck,
    ArgoCdApplication,
    CanaryRollout,
    CanaryStep,
    NginxTrafficSplit,
    NotificationSubscription,
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
)


class AragoraChart(Chart):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, namespace="aragora")

        traffic = NginxTrafficSplit(self, "traffic",
            host="api.aragora.ai",
            tls_secret_name="aragora-tls",
            canary_header={"name": "X-Canary", "value": "true"},
        )

        analysis = PrometheusAnalysis(self, "analysis",
            metadata={"name": "aragora-canary-analysis"},
            address="http://prometheus.monitoring.svc.cluster.local:9090",
            checks=[
                AnalysisCheck.success_rate(at_least=0.99, success_statuses=SuccessStatuses.only2xx()),
                AnalysisCheck.latency(percentile=99, below=Duration.millis(500)),
                AnalysisCheck.error_rate(below=0.01),
                AnalysisCheck.pod_restarts(at_most=0),
            ],
            interval=Duration.minutes(1),
            failures_to_abort=3,
        )

        self.rollout = CanaryRollout(self, "aragora",
            metadata={"name": "aragora"},
            containers=[kplus.ContainerProps(
                name="aragora",
                image="aragora/aragora:v1.1.0",
                port_number=8080,
                readiness=kplus.Probe.from_http_get("/health"),
            )],
            replicas=3,
            traffic_split=traffic,
            background_analysis={"templates": [analysis]},
            steps=[
                CanaryStep.weight(5), CanaryStep.pause(Duration.minutes(2)),
                CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(5)),
                CanaryStep.weight(50), CanaryStep.pause(Duration.minutes(5)),
                CanaryStep.weight(80), CanaryStep.pause(Duration.minutes(5)),
            ],
        )

        RolloutAlerts(self, "alerts", rollouts=RolloutSelection.one(self.rollout))
        RolloutDashboard(self, "dashboard", rollout=self.rollout, folder="Aragora")
        RolloutNotifications(self, "notifications",
            rollout=self.rollout,
            subscriptions=[NotificationSubscription(
                triggers=[
                    RolloutNotificationTrigger.ROLLOUT_COMPLETED,
                    RolloutNotificationTrigger.ROLLOUT_ABORTED,
                    RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
                ],
                targets=[NotificationTarget.slack("aragora-deploys")],
            )],
        )
        RolloutServiceMonitor(self, "metrics", rollout=self.rollout)
        ArgoCdApplication.order_templates_first(self)


class AragoraDeliveryChart(Chart):
    def __init__(self, scope: Construct, id: str, service: Construct) -> None:
        super().__init__(scope, id)
        ArgoCdApplication(self, "application",
            metadata={"name": "aragora-rollout"},
            project="aragora",
            repo_url="https://github.com/an0mium/aragora",
            target_revision="main",
            path="dist/seed-000-aragora",
            destination_namespace="aragora",
            syncs=[service],
        )


def build_app(outdir: str) -> App:
    app = ProgressiveApp(outdir=outdir)
    service = AragoraChart(app, "aragora")
    AragoraDeliveryChart(app, "argocd", service)
    return app
