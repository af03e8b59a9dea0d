package main

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	"k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/core/configmap"
	"k8s.io/kubernetes/pkg/registry/core/secret"
	"k8s.io/kubernetes/pkg/registry/core/service"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
)

// createStrategies are the API server's (k8s.io/kubernetes v1.34.1) create strategies of the built-in
// kinds the library writes; rest.BeforeCreate runs them as a create request does (defaulting,
// PrepareForCreate, object-meta and kind validation), before admission.
var createStrategies = map[schema.GroupKind]rest.RESTCreateStrategy{
	{Group: "", Kind: "Service"}:                            service.Strategy,
	{Group: "", Kind: "ConfigMap"}:                          configmap.Strategy,
	{Group: "", Kind: "Secret"}:                             secret.Strategy,
	{Group: "", Kind: "ServiceAccount"}:                     serviceaccount.Strategy,
	{Group: "networking.k8s.io", Kind: "Ingress"}:           ingress.Strategy,
	{Group: "apps", Kind: "Deployment"}:                     deployment.Strategy,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}: horizontalpodautoscaler.Strategy,
	{Group: "policy", Kind: "PodDisruptionBudget"}:          poddisruptionbudget.Strategy,
}

// apiserverErrors validates a built-in object as the API server's create handler does; nil when the kind is not covered.
func apiserverErrors(o *unstructured.Unstructured) ([]string, bool) {
	gvk := o.GroupVersionKind()
	strategy, ok := createStrategies[gvk.GroupKind()]
	if !ok {
		return nil, false
	}
	versioned, err := legacyscheme.Scheme.New(gvk)
	if err != nil {
		return []string{err.Error()}, true
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, versioned); err != nil {
		return []string{err.Error()}, true
	}
	legacyscheme.Scheme.Default(versioned)
	internal, err := legacyscheme.Scheme.ConvertToVersion(versioned, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return []string{err.Error()}, true
	}
	objMeta, err := meta.Accessor(internal)
	if err != nil {
		return []string{err.Error()}, true
	}
	// What the create handler does before BeforeCreate: system fields, and the request's namespace
	// (kubectl's default namespace for objects without one).
	rest.FillObjectMetaSystemFields(objMeta)
	ns := o.GetNamespace()
	if ns == "" {
		ns = "default"
	}
	// The Service REST storage's beginCreate hook (normalizeClusterIPs): a singular clusterIP (e.g.
	// "None" for a headless Service) initialises the plural field, before validation.
	if svc, ok := internal.(*core.Service); ok && svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	ctx := genericapirequest.WithNamespace(context.Background(), ns)
	if err := rest.BeforeCreate(strategy, ctx, internal); err != nil {
		return []string{strings.TrimSpace(err.Error())}, true
	}
	return nil, true
}
