import { AnalysisTemplate, Application, ApplicationSet, ClusterAnalysisTemplate, Experiment, Rollout } from '../imports/argoproj.io';
import { HttpRoute } from '../imports/gateway.networking.k8s.io';
import { PrometheusRule, ServiceMonitor } from '../imports/monitoring.coreos.com';
import { DestinationRule, VirtualService } from '../imports/networking.istio.io';
import { API_KINDS } from '../src/synth/api-kinds';

// The package ships API_KINDS instead of the generated bindings: they must name the same kinds.
test('API_KINDS agree with the bindings generated from the pinned CRDs', () => {
  expect(API_KINDS).toEqual({
    rollout: Rollout.GVK,
    analysisTemplate: AnalysisTemplate.GVK,
    clusterAnalysisTemplate: ClusterAnalysisTemplate.GVK,
    experiment: Experiment.GVK,
    application: Application.GVK,
    applicationSet: ApplicationSet.GVK,
    prometheusRule: PrometheusRule.GVK,
    serviceMonitor: ServiceMonitor.GVK,
    destinationRule: DestinationRule.GVK,
    virtualService: VirtualService.GVK,
    httpRoute: HttpRoute.GVK,
  });
});
