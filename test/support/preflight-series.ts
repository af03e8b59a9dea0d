import { counter, gauge, SeriesSpec } from './prometheus-server';

/**
 * The seed examples' services in a test Prometheus, as they look before a release (stable only):
 * healthy nginx traffic for aragora and the blog platform's staging backend, Istio traffic for
 * x0tta6bl4's proxy-api, app metrics (http_requests_total) for the hmco portal, kube-state-metrics
 * and cAdvisor for every pod. Planted faults: the blog platform's production Ingress is labelled
 * `backend` (the analysis asks for `backend-ingress`); the hmco portal exports no
 * `http_request_duration_milliseconds_bucket` at all; staging's backend uses 90% of its memory limit.
 */
export function seedSeries(): SeriesSpec[] {
  return [
    ...nginx('aragora', 'aragora-stable'),
    ...nginx('production', 'backend'),
    ...nginx('staging', 'backend-ingress'),
    ...pods('aragora', 'aragora', '5d4f8c7b9', { memory: 0.5 }),
    ...pods('production', 'backend', '7c9f6d5b8', { memory: 0.5 }),
    ...pods('staging', 'backend', '6b8d9c7f4', { memory: 0.9 }),
    ...istio('x0tta6bl4-production', 'proxy-api-stable'),
    ...pods('x0tta6bl4-production', 'proxy-api', '8f7c6d5b4', { memory: 0.4 }),
    ...app('data-platform', 'portal-services'),
    ...app('data-platform', 'mlflow'),
  ];
}

/** Stable traffic through ingress-nginx: 10 req/s, 0.1% 5xx, p99 between 100 and 250ms. */
export function nginx(namespace: string, ingress: string): SeriesSpec[] {
  const labels = { exported_namespace: namespace, ingress, canary: '', service: `${ingress}-svc` };
  const buckets: [string, number][] = [['0.1', 9], ['0.25', 9.95], ['0.5', 10], ['+Inf', 10]];
  return [
    { name: 'nginx_ingress_controller_requests', labels: { ...labels, status: '200' }, value: counter(9.99) },
    { name: 'nginx_ingress_controller_requests', labels: { ...labels, status: '503' }, value: counter(0.01) },
    ...buckets.map(([le, rate]) => ({ name: 'nginx_ingress_controller_request_duration_seconds_bucket', labels: { ...labels, le }, value: counter(rate) })),
  ];
}

/** Istio server-side traffic to a Service: 20 req/s, no 5xx, p50 ~21ms, p99 ~97ms. */
export function istio(namespace: string, service: string): SeriesSpec[] {
  const labels = { reporter: 'destination', destination_service_namespace: namespace, destination_service_name: service };
  const buckets: [string, number][] = [['25', 12], ['50', 18], ['100', 19.9], ['250', 20], ['+Inf', 20]];
  return [
    { name: 'istio_requests_total', labels: { ...labels, response_code: '200' }, value: counter(20) },
    ...buckets.map(([le, rate]) => ({ name: 'istio_request_duration_milliseconds_bucket', labels: { ...labels, le }, value: counter(rate) })),
  ];
}

/** App-level request counter (no latency histogram). */
export function app(namespace: string, service: string): SeriesSpec[] {
  return [
    { name: 'http_requests_total', labels: { namespace, service, status: '200' }, value: counter(5) },
    { name: 'http_requests_total', labels: { namespace, service, status: '500' }, value: counter(0.01) },
  ];
}

/** kube-state-metrics and cAdvisor for two ready pods of a rollout's ReplicaSet: no restarts, 10% CPU. */
export function pods(namespace: string, rollout: string, hash: string, usage: { memory: number }): SeriesSpec[] {
  const container = 'main';
  const limitBytes = 512 * 1024 * 1024;
  return ['abcde', 'fghij'].flatMap((suffix) => {
    const pod = `${rollout}-${hash}-${suffix}`;
    const p = { namespace, pod };
    return [
      { name: 'kube_pod_owner', labels: { ...p, owner_kind: 'ReplicaSet', owner_name: `${rollout}-${hash}`, owner_is_controller: 'true' }, value: gauge(1) },
      { name: 'kube_pod_status_ready', labels: { ...p, condition: 'true' }, value: gauge(1) },
      { name: 'kube_pod_container_status_restarts_total', labels: { ...p, container }, value: gauge(0) },
      { name: 'kube_pod_container_resource_limits', labels: { ...p, container, resource: 'cpu', unit: 'core' }, value: gauge(1) },
      { name: 'kube_pod_container_resource_limits', labels: { ...p, container, resource: 'memory', unit: 'byte' }, value: gauge(limitBytes) },
      { name: 'container_cpu_usage_seconds_total', labels: { ...p, container }, value: counter(0.1) },
      { name: 'container_memory_working_set_bytes', labels: { ...p, container }, value: gauge(usage.memory * limitBytes) },
    ];
  });
}
