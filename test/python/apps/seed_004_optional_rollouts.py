"""Seed 004, optional progressive delivery, in Python: the same app as examples/seed-004-optional-rollouts/main.ts."""
from cdk8s import App, Chart, Size
import cdk8s_plus_27 as kplus
from constructs import Construct
from cdk8s_argo_rollouts import (
    ArgoCdApplication,
    DeliveryStrategy,
    EnvironmentProfile,
    GatewayApiTrafficSplit,
    ProgressiveApp,
    ProgressiveService,
)

ENVIRONMENTS = {
    "dev": EnvironmentProfile.dev(),
    "staging": EnvironmentProfile.staging(),
    "prod": EnvironmentProfile.production(),
}

# services -> environment -> values (image, port, rollout.enabled)
SERVICES = {
    "myapp": {
        "dev": {"image": "registry.example.com/myapp:1.5.0-rc1", "port": 8080, "rollout": True},
        "staging": {"image": "registry.example.com/myapp:1.4.2", "port": 8080, "rollout": True},
        "prod": {"image": "registry.example.com/myapp:1.4.2", "port": 8080, "rollout": True},
    },
    "billing": {
        "dev": {"image": "registry.example.com/billing:2.1.0", "port": 9000, "rollout": True},
        "staging": {"image": "registry.example.com/billing:2.1.0", "port": 9000, "rollout": True},
        "prod": {"image": "registry.example.com/billing:2.0.7", "port": 9000, "rollout": False},
    },
}


class EnvironmentChart(Chart):
    def __init__(self, scope: Construct, id: str, environment: str) -> None:
        super().__init__(scope, id, namespace=environment)
        profile = ENVIRONMENTS[environment]
        for name, per_environment in SERVICES.items():
            values = per_environment[environment]
            ProgressiveService(self, name,
                metadata={"name": name},
                containers=[kplus.ContainerProps(
                    name=name,
                    image=values["image"],
                    port_number=values["port"],
                    readiness=kplus.Probe.from_http_get("/health"),
                    resources=kplus.ContainerResources(
                        cpu=kplus.CpuResources(request=kplus.Cpu.millis(250), limit=kplus.Cpu.millis(1000)),
                        memory=kplus.MemoryResources(request=Size.mebibytes(256), limit=Size.mebibytes(512)),
                    ),
                )],
                autoscaling={"min_replicas": 3, "max_replicas": 10, "target_cpu_utilization_percent": 70},
                disruption_budget={"max_unavailable": kplus.PercentOrAbsolute.absolute(1)},
                traffic_split=GatewayApiTrafficSplit(self, f"{name}-route",
                    gateways=[{"name": "platform-gateway", "namespace": "istio-system"}],
                    hostnames=[f"{name}.{environment}.example.com"],
                ),
                delivery=profile.canary_delivery() if values["rollout"] else DeliveryStrategy.deployment(),
            )


class DeliveryChart(Chart):
    def __init__(self, scope: Construct, id: str, charts: list) -> None:
        super().__init__(scope, id)
        ArgoCdApplication(self, "application",
            metadata={"name": "services"},
            repo_url="https://github.com/example/platform",
            target_revision="main",
            path="dist/seed-004-optional-rollouts",
            destination_namespace="prod",
            syncs=charts,
        )


def build_app(outdir: str) -> App:
    app = ProgressiveApp(outdir=outdir)
    charts = [EnvironmentChart(app, f"services-{environment}", environment) for environment in ENVIRONMENTS]
    DeliveryChart(app, "argocd", charts)
    return app
