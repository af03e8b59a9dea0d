import { GroupVersionKind } from 'cdk8s';

/**
 * apiVersion and kind of the custom resources the constructs write, as in the pinned CRDs that
 * `imports/` is generated from (a test checks they agree). Kept here so the package does not ship
 * the generated bindings.
 */
export const API_KINDS = {
  rollout: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
  analysisTemplate: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate' },
  clusterAnalysisTemplate: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ClusterAnalysisTemplate' },
  experiment: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Experiment' },
  application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application' },
  applicationSet: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet' },
  prometheusRule: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' },
  serviceMonitor: { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' },
  destinationRule: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' },
  virtualService: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' },
  httpRoute: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
} satisfies Record<string, GroupVersionKind>;
