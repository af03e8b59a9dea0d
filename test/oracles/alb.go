package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/rollout/trafficrouting/alb"
	"github.com/argoproj/argo-rollouts/utils/aws"
	ingressutil "github.com/argoproj/argo-rollouts/utils/ingress"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kubeinformers "k8s.io/client-go/informers"
	k8sfake "k8s.io/client-go/kubernetes/fake"
)

// reconcileAlb runs the controller's alb.Reconciler on a fake clientset and an ingress informer holding the
// app's Ingresses (through the controller's ingressutil wrapper): SetWeight(30), then each step's
// SetHeaderRoute / SetMirrorRoute in order, the informer cache re-synced to the clientset before each call
// (as the controller's informer would be). The AWS client is only used by VerifyWeight, which is not called:
// aws.NewClient is the package's own fake with no ELBv2 client, so nothing reads AWS configuration.
func reconcileAlb(a *app, ro *v1alpha1.Rollout) ([]string, []*unstructured.Unstructured) {
	c := ro.Spec.Strategy.Canary
	cfg := c.TrafficRouting.ALB
	client := k8sfake.NewSimpleClientset()
	informers := kubeinformers.NewSharedInformerFactory(client, 0)
	indexer := informers.Networking().V1().Ingresses().Informer().GetIndexer()
	before := map[string]*networkingv1.Ingress{}
	for _, o := range inNamespace(a, networkingv1.GroupName, "Ingress", ro.Namespace) {
		var ing networkingv1.Ingress
		if err := strictInto(o, &ing); err != nil {
			return []string{err.Error()}, nil
		}
		created, err := client.NetworkingV1().Ingresses(ing.Namespace).Create(context.TODO(), &ing, metav1.CreateOptions{})
		if err != nil {
			return []string{err.Error()}, nil
		}
		before[ing.Name] = created.DeepCopy()
	}
	resync := func() {
		list, _ := client.NetworkingV1().Ingresses(ro.Namespace).List(context.TODO(), metav1.ListOptions{})
		for i := range list.Items {
			_ = indexer.Update(&list.Items[i])
		}
	}
	wrapper, err := ingressutil.NewIngressWrapper(ingressutil.IngressModeNetworking, client, informers)
	if err != nil {
		return []string{err.Error()}, nil
	}
	aws.NewClient = aws.FakeNewClientFunc(nil)
	status := ro.Status.DeepCopy()
	r, err := alb.NewReconciler(alb.ReconcilerConfig{Rollout: ro, Client: client, Recorder: eventRecorder(), ControllerKind: controllerKind, IngressWrapper: wrapper, Status: status})
	if err != nil {
		return []string{fmt.Sprintf("alb NewReconciler: %v", err)}, nil
	}
	names := cfg.Ingresses
	if cfg.Ingress != "" {
		names = []string{cfg.Ingress}
	}
	get := func(name string) (*networkingv1.Ingress, error) {
		return client.NetworkingV1().Ingresses(ro.Namespace).Get(context.TODO(), name, metav1.GetOptions{})
	}

	resync()
	if err := r.SetWeight(desiredWeight); err != nil {
		return []string{fmt.Sprintf("alb SetWeight(%d): %v", desiredWeight, err)}, nil
	}
	var errs []string
	for _, name := range names {
		ing, err := get(name)
		if err != nil {
			errs = append(errs, fmt.Sprintf("alb: Ingress %s: %v", name, err))
			continue
		}
		errs = append(errs, checkAlbAction(ing, ro)...)
	}
	for _, s := range c.Steps {
		if h := s.SetHeaderRoute; h != nil {
			resync()
			if err := r.SetHeaderRoute(h); err != nil {
				errs = append(errs, fmt.Sprintf("alb SetHeaderRoute(%s): %v", h.Name, err))
				continue
			}
			for _, name := range names {
				if ing, err := get(name); err == nil {
					errs = append(errs, checkAlbHeaderRoute(ing, ro, h)...)
				}
			}
		}
		if m := s.SetMirrorRoute; m != nil {
			// The ALB reconciler has no mirror routes (SetMirrorRoute returns nil and writes nothing).
			resync()
			if err := r.SetMirrorRoute(m); err != nil {
				errs = append(errs, fmt.Sprintf("alb SetMirrorRoute(%s): %v", m.Name, err))
			}
		}
	}
	var live []*unstructured.Unstructured
	for _, name := range names {
		now, err := get(name)
		if err != nil {
			continue
		}
		if orig := before[name]; orig == nil || !reflect.DeepEqual(orig, now) {
			live = append(live, toUnstructured(now, networkingv1.SchemeGroupVersion.WithKind("Ingress")))
		}
	}
	return errs, live
}

// albServices: the Service the Ingress rule names (rootService, else stableService) and the stable and canary
// target groups. With ping-pong and no status yet the controller takes pong as stable and ping as canary
// (trafficrouting.IsStablePing is false while status.canary.stablePingPong is empty).
func albServices(ro *v1alpha1.Rollout) (action, stable, canary string) {
	c := ro.Spec.Strategy.Canary
	stable, canary = c.StableService, c.CanaryService
	if c.PingPong != nil {
		stable, canary = c.PingPong.PongService, c.PingPong.PingService
		if ro.Status.Canary.StablePingPong == v1alpha1.PPPing {
			stable, canary = canary, stable
		}
	}
	action = c.StableService
	if c.TrafficRouting.ALB.RootService != "" {
		action = c.TrafficRouting.ALB.RootService
	}
	return action, stable, canary
}

func albPrefix(ro *v1alpha1.Rollout) string {
	if p := ro.Spec.Strategy.Canary.TrafficRouting.ALB.AnnotationPrefix; p != "" {
		return p
	}
	return ingressutil.ALBIngressAnnotation
}

// managedAnnotations: the keys rollouts.argoproj.io/managed-alb-annotations lists for the rollout.
func managedAnnotations(ing *networkingv1.Ingress, ro *v1alpha1.Rollout) ([]string, error) {
	m := map[string][]string{}
	if err := json.Unmarshal([]byte(ing.Annotations[ingressutil.ManagedAnnotations]), &m); err != nil {
		return nil, fmt.Errorf("alb: Ingress %s: %s is not a JSON object of lists: %v", ing.Name, ingressutil.ManagedAnnotations, err)
	}
	return m[ro.Name], nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkAlbAction: the action annotation of the routed Service forwards 30 to the canary and 70 to the stable
// target group on servicePort (with the rollout's stickiness), and the managed annotation lists it.
func checkAlbAction(ing *networkingv1.Ingress, ro *v1alpha1.Rollout) []string {
	cfg := ro.Spec.Strategy.Canary.TrafficRouting.ALB
	actionService, stable, canary := albServices(ro)
	key := albPrefix(ro) + "/actions." + actionService
	raw, ok := ing.Annotations[key]
	if !ok {
		return []string{fmt.Sprintf("alb: Ingress %s has no annotation %s", ing.Name, key)}
	}
	var action struct {
		Type          string
		ForwardConfig struct {
			TargetGroups []struct {
				ServiceName string
				ServicePort string
				Weight      *int64
			}
			TargetGroupStickinessConfig *struct {
				Enabled         bool
				DurationSeconds int64
			}
		}
	}
	if err := json.Unmarshal([]byte(raw), &action); err != nil {
		return []string{fmt.Sprintf("alb: Ingress %s %s: %v", ing.Name, key, err)}
	}
	var errs []string
	if action.Type != "forward" {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: Type %q, want forward", ing.Name, key, action.Type))
	}
	weights := map[string]int64{}
	for _, tg := range action.ForwardConfig.TargetGroups {
		if tg.ServicePort != strconv.Itoa(int(cfg.ServicePort)) {
			errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: target group %s on port %q, want %d", ing.Name, key, tg.ServiceName, tg.ServicePort, cfg.ServicePort))
		}
		if tg.Weight != nil {
			weights[tg.ServiceName] = *tg.Weight
		}
	}
	if len(action.ForwardConfig.TargetGroups) != 2 || weights[canary] != desiredWeight || weights[stable] != 100-desiredWeight {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: weights %v, want %s=%d and %s=%d", ing.Name, key, weights, canary, desiredWeight, stable, 100-desiredWeight))
	}
	sticky := action.ForwardConfig.TargetGroupStickinessConfig
	if want := cfg.StickinessConfig; want != nil && want.Enabled {
		if sticky == nil || !sticky.Enabled || sticky.DurationSeconds != want.DurationSeconds {
			errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: stickiness %+v, want %d s", ing.Name, key, sticky, want.DurationSeconds))
		}
	} else if sticky != nil {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: stickiness %+v, none configured", ing.Name, key, sticky))
	}
	managed, err := managedAnnotations(ing, ro)
	if err != nil {
		return append(errs, err.Error())
	}
	if !contains(managed, key) {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s: %s lists %v for %s, not %s", ing.Name, ingressutil.ManagedAnnotations, managed, ro.Name, key))
	}
	return errs
}

// checkAlbHeaderRoute: a header route with matches has its action (all to the canary) and condition
// (the exact header values) annotations, both listed as managed, and every rule a `/*` path to the route's
// name with port use-annotation; a header route without matches has none of them.
func checkAlbHeaderRoute(ing *networkingv1.Ingress, ro *v1alpha1.Rollout, h *v1alpha1.SetHeaderRoute) []string {
	_, _, canary := albServices(ro)
	actionKey := albPrefix(ro) + "/actions." + h.Name
	conditionKey := albPrefix(ro) + "/conditions." + h.Name
	managed, err := managedAnnotations(ing, ro)
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	routed := func(rule networkingv1.IngressRule) bool {
		for _, p := range rule.HTTP.Paths {
			if p.Backend.Service != nil && p.Backend.Service.Name == h.Name {
				return true
			}
		}
		return false
	}
	if h.Match == nil {
		for _, key := range []string{actionKey, conditionKey} {
			if _, ok := ing.Annotations[key]; ok || contains(managed, key) {
				errs = append(errs, fmt.Sprintf("alb: Ingress %s: %s still set after header route %s was removed", ing.Name, key, h.Name))
			}
		}
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP != nil && routed(rule) {
				errs = append(errs, fmt.Sprintf("alb: Ingress %s: path to %s still there after header route %s was removed", ing.Name, h.Name, h.Name))
			}
		}
		return errs
	}
	var action struct {
		ForwardConfig struct {
			TargetGroups []struct {
				ServiceName string
				Weight      *int64
			}
		}
	}
	if err := json.Unmarshal([]byte(ing.Annotations[actionKey]), &action); err != nil {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: %v", ing.Name, actionKey, err))
	} else if tgs := action.ForwardConfig.TargetGroups; len(tgs) != 1 || tgs[0].ServiceName != canary || tgs[0].Weight == nil || *tgs[0].Weight != 100 {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s does not send everything to the canary %s: %s", ing.Name, actionKey, canary, ing.Annotations[actionKey]))
	}
	var conditions []struct {
		Field            string
		HttpHeaderConfig struct {
			HttpHeaderName string
			Values         []string
		}
	}
	if err := json.Unmarshal([]byte(ing.Annotations[conditionKey]), &conditions); err != nil {
		errs = append(errs, fmt.Sprintf("alb: Ingress %s %s: %v", ing.Name, conditionKey, err))
	} else {
		for _, m := range h.Match {
			found := false
			for _, cond := range conditions {
				if cond.Field == "http-header" && cond.HttpHeaderConfig.HttpHeaderName == m.HeaderName && m.HeaderValue != nil && contains(cond.HttpHeaderConfig.Values, m.HeaderValue.Exact) {
					found = true
				}
			}
			if !found {
				errs = append(errs, fmt.Sprintf("alb: Ingress %s %s has no http-header condition %s=%v: %s", ing.Name, conditionKey, m.HeaderName, m.HeaderValue, ing.Annotations[conditionKey]))
			}
		}
	}
	for _, key := range []string{actionKey, conditionKey} {
		if !contains(managed, key) {
			errs = append(errs, fmt.Sprintf("alb: Ingress %s: %s lists %v for %s, not %s", ing.Name, ingressutil.ManagedAnnotations, managed, ro.Name, key))
		}
	}
	for i, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		found := false
		for _, p := range rule.HTTP.Paths {
			found = found || (p.Path == "/*" && p.Backend.Service != nil && p.Backend.Service.Name == h.Name && p.Backend.Service.Port.Name == "use-annotation")
		}
		if !found {
			errs = append(errs, fmt.Sprintf("alb: Ingress %s rule %d: no path /* to %s port use-annotation", ing.Name, i, h.Name))
		}
	}
	return errs
}
