import { Duration } from 'cdk8s';
import { promqlDuration } from './promql';
import { QueryTarget, TrafficRole } from './query-target';

/**
 * Pod-level PromQL (kube-state-metrics and cAdvisor) for the pods of a rollout's canary or stable
 * ReplicaSet. Pods are selected by joining on `kube_pod_owner` (ReplicaSet `<rollout>-<hash>`),
 * which works with a default kube-state-metrics (no label allowlist).
 */
export class PodMetrics {
  /** Container restarts in the window, summed over the role's pods. */
  public static restarts(role: TrafficRole, target: QueryTarget, window: Duration): string {
    return `sum(increase(kube_pod_container_status_restarts_total{namespace="${target._exact('namespace')}"}[${promqlDuration(window)}]) * on(namespace, pod) group_left() ${owner(role, target)})`;
  }

  /** Fraction of the role's pods that are Ready. */
  public static readyRatio(role: TrafficRole, target: QueryTarget): string {
    return `sum(kube_pod_status_ready{namespace="${target._exact('namespace')}",condition="true"} * on(namespace, pod) group_left() ${owner(role, target)}) / count(${owner(role, target)})`;
  }

  /** CPU used by the role's pods as a fraction of their CPU limits. */
  public static cpuLimitRatio(role: TrafficRole, target: QueryTarget, window: Duration): string {
    const ns = target._exact('namespace');
    return `sum(rate(container_cpu_usage_seconds_total{namespace="${ns}",container!="",container!="POD"}[${promqlDuration(window)}]) * on(namespace, pod) group_left() ${owner(role, target)})`
      + ` / sum(kube_pod_container_resource_limits{namespace="${ns}",resource="cpu"} * on(namespace, pod) group_left() ${owner(role, target)})`;
  }

  /** Working-set memory of the fullest container of the role's pods, as a fraction of its memory limit. */
  public static memoryLimitRatio(role: TrafficRole, target: QueryTarget): string {
    const ns = target._exact('namespace');
    return `max(container_memory_working_set_bytes{namespace="${ns}",container!="",container!="POD"} / on(namespace, pod, container) kube_pod_container_resource_limits{namespace="${ns}",resource="memory"}`
      + ` * on(namespace, pod) group_left() ${owner(role, target)})`;
  }
}

/** One series per pod of the role's ReplicaSet. */
function owner(role: TrafficRole, target: QueryTarget): string {
  const hash = target._regex(role === TrafficRole.CANARY ? 'canaryHash' : 'stableHash');
  return `max by (namespace, pod) (kube_pod_owner{namespace="${target._exact('namespace')}",owner_kind="ReplicaSet",owner_name=~"${target._regex('rolloutName')}-${hash}"})`;
}
