package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/rollout/trafficrouting"
	"github.com/argoproj/argo-rollouts/rollout/trafficrouting/istio"
	"github.com/argoproj/argo-rollouts/rollout/trafficrouting/nginx"
	testutil "github.com/argoproj/argo-rollouts/test/util"
	"github.com/argoproj/argo-rollouts/utils/defaults"
	ingressutil "github.com/argoproj/argo-rollouts/utils/ingress"
	istioutil "github.com/argoproj/argo-rollouts/utils/istio"
	"github.com/argoproj/argo-rollouts/utils/record"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	dynamiclister "k8s.io/client-go/dynamic/dynamiclister"
	kubeinformers "k8s.io/client-go/informers"
	k8sfake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	k8srecord "k8s.io/client-go/tools/record"
	"sigs.k8s.io/yaml"
)

// desiredWeight is the canary weight every reconciler is asked to set.
const desiredWeight = 30

const gatewayAPIPlugin = "argoproj-labs/gatewayAPI"

var controllerKind = v1alpha1.SchemeGroupVersion.WithKind("Rollout")

// recorder is the controller's fake event recorder, made once: making one waits for its informers' sync (100 ms).
var recorder *record.FakeEventRecorder

func eventRecorder() *record.FakeEventRecorder {
	if recorder == nil {
		recorder = record.NewFakeEventRecorder()
		// Its Kubernetes fake recorder buffers 1000 events, then blocks: drain it.
		if fake, ok := recorder.Recorder.(*k8srecord.FakeRecorder); ok {
			go func() {
				for range fake.Events {
				}
			}()
		}
	}
	return recorder
}

func runReconcile(dir, liveDir string) error {
	apps, err := loadApps(dir)
	if err != nil {
		return err
	}
	if liveDir != "" {
		if err := os.MkdirAll(liveDir, 0o755); err != nil {
			return err
		}
	}
	for _, a := range apps {
		for _, o := range a.objects(argoGroup, "Rollout") {
			var ro v1alpha1.Rollout
			if err := strictInto(o, &ro); err != nil {
				r := objResult("reconcile", a, o)
				r.Errors = []string{err.Error()}
				emit(r)
				continue
			}
			if ro.Namespace == "" {
				ro.Namespace = "default"
			}
			c := ro.Spec.Strategy.Canary
			if c == nil || c.TrafficRouting == nil {
				continue
			}
			routers := []struct {
				name string
				used bool
				run  func(*app, *v1alpha1.Rollout) ([]string, []*unstructured.Unstructured)
			}{
				{"nginx", c.TrafficRouting.Nginx != nil, reconcileNginx},
				{"istio", c.TrafficRouting.Istio != nil, reconcileIstio},
				{"alb", c.TrafficRouting.ALB != nil, reconcileAlb},
			}
			for _, router := range routers {
				if !router.used {
					continue
				}
				r := objResult("reconcile", a, o)
				r.Router = router.name
				var live []*unstructured.Unstructured
				r.Errors, live = router.run(a, &ro)
				emit(r)
				writeLive(liveDir, a.Name, live)
			}
			if _, ok := c.TrafficRouting.Plugins[gatewayAPIPlugin]; ok {
				r := objResult("reconcile", a, o)
				r.Router = "gatewayAPI"
				r.Notes = []string{"the Gateway API plugin (github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi) is not served by the Go module proxy: not run"}
				emit(r)
			}
		}
	}
	return nil
}

// inNamespace returns copies of the app's objects of one kind in the rollout's namespace ("" read as "default").
func inNamespace(a *app, group, kind, ns string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range a.objects(group, kind) {
		c := o.DeepCopy()
		if c.GetNamespace() == "" {
			c.SetNamespace("default")
		}
		if c.GetNamespace() == ns {
			out = append(out, c)
		}
	}
	return out
}

func reconcileNginx(a *app, ro *v1alpha1.Rollout) ([]string, []*unstructured.Unstructured) {
	c := ro.Spec.Strategy.Canary
	client := k8sfake.NewSimpleClientset()
	informers := kubeinformers.NewSharedInformerFactory(client, 0)
	for _, o := range inNamespace(a, networkingv1.GroupName, "Ingress", ro.Namespace) {
		var ing networkingv1.Ingress
		if err := strictInto(o, &ing); err != nil {
			return []string{err.Error()}, nil
		}
		if _, err := client.NetworkingV1().Ingresses(ing.Namespace).Create(context.TODO(), &ing, metav1.CreateOptions{}); err != nil {
			return []string{err.Error()}, nil
		}
		_ = informers.Networking().V1().Ingresses().Informer().GetIndexer().Add(&ing)
	}
	wrapper, err := ingressutil.NewIngressWrapper(ingressutil.IngressModeNetworking, client, informers)
	if err != nil {
		return []string{err.Error()}, nil
	}
	r := nginx.NewReconciler(nginx.ReconcilerConfig{Rollout: ro, Client: client, Recorder: eventRecorder(), ControllerKind: controllerKind, IngressWrapper: wrapper})
	if err := r.SetWeight(desiredWeight); err != nil {
		return []string{fmt.Sprintf("nginx SetWeight(%d): %v", desiredWeight, err)}, nil
	}
	var errs []string
	for _, s := range c.Steps {
		if s.SetHeaderRoute != nil {
			if err := r.SetHeaderRoute(s.SetHeaderRoute); err != nil {
				errs = append(errs, fmt.Sprintf("nginx SetHeaderRoute(%s): %v", s.SetHeaderRoute.Name, err))
			}
		}
		if s.SetMirrorRoute != nil {
			if err := r.SetMirrorRoute(s.SetMirrorRoute); err != nil {
				errs = append(errs, fmt.Sprintf("nginx SetMirrorRoute(%s): %v", s.SetMirrorRoute.Name, err))
			}
		}
	}
	names := c.TrafficRouting.Nginx.StableIngresses
	if c.TrafficRouting.Nginx.StableIngress != "" {
		names = append([]string{c.TrafficRouting.Nginx.StableIngress}, names...)
	}
	prefix := defaults.GetCanaryIngressAnnotationPrefixOrDefault(ro)
	var live []*unstructured.Unstructured
	for _, stable := range names {
		name := ingressutil.GetCanaryIngressName(ro.Name, stable)
		ing, err := client.NetworkingV1().Ingresses(ro.Namespace).Get(context.TODO(), name, metav1.GetOptions{})
		if err != nil {
			errs = append(errs, fmt.Sprintf("nginx: canary Ingress %s not created: %v", name, err))
			continue
		}
		if ing.Annotations[prefix+"/canary"] != "true" || ing.Annotations[prefix+"/canary-weight"] != fmt.Sprint(desiredWeight) {
			errs = append(errs, fmt.Sprintf("nginx: canary Ingress %s annotations %v, want %s/canary=true and canary-weight=%d", name, ing.Annotations, prefix, desiredWeight))
		}
		backends := 0
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				backends++
				if p.Backend.Service == nil || p.Backend.Service.Name != c.CanaryService {
					errs = append(errs, fmt.Sprintf("nginx: canary Ingress %s path %q does not route to the canary Service %s", name, p.Path, c.CanaryService))
				}
			}
		}
		if backends == 0 {
			errs = append(errs, fmt.Sprintf("nginx: canary Ingress %s has no backend", name))
		}
		live = append(live, toUnstructured(ing, networkingv1.SchemeGroupVersion.WithKind("Ingress")))
	}
	return errs, live
}

// istioListers lists the client's VirtualServices and DestinationRules into indexers, as an informer's
// initial sync does (without its 100 ms polling for the sync).
func istioListers(client dynamic.Interface) (dynamiclister.Lister, dynamiclister.Lister) {
	vsGVR, drGVR := istioutil.GetIstioVirtualServiceGVR(), istioutil.GetIstioDestinationRuleGVR()
	index := func(gvr schema.GroupVersionResource) cache.Indexer {
		idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
		if list, err := client.Resource(gvr).List(context.TODO(), metav1.ListOptions{}); err == nil {
			for i := range list.Items {
				_ = idx.Add(&list.Items[i])
			}
		}
		return idx
	}
	return dynamiclister.New(index(vsGVR), vsGVR), dynamiclister.New(index(drGVR), drGVR)
}

func reconcileIstio(a *app, ro *v1alpha1.Rollout) ([]string, []*unstructured.Unstructured) {
	c := ro.Spec.Strategy.Canary
	ist := c.TrafficRouting.Istio
	var objs []runtime.Object
	before := map[string]*unstructured.Unstructured{}
	// The controller's --istio-api-version (default v1alpha3) set to the version the library writes;
	// the API server serves each version of the same objects.
	version := ""
	for _, kind := range []string{"VirtualService", "DestinationRule"} {
		for _, o := range inNamespace(a, "networking.istio.io", kind, ro.Namespace) {
			v := o.GroupVersionKind().Version
			if version == "" {
				version = v
			} else if v != version {
				return []string{fmt.Sprintf("istio: %s %s is %s, other Istio objects %s: the controller reads one version", kind, o.GetName(), v, version)}, nil
			}
			objs = append(objs, o)
			before[kind+"/"+o.GetName()] = o.DeepCopy()
		}
	}
	if version != "" {
		defaults.SetIstioAPIVersion(version)
	}
	client := testutil.NewFakeDynamicClient(objs...)
	// Each call is a reconcile of its own, with informer caches synced to what the previous one wrote.
	reconcilerFor := func(r *v1alpha1.Rollout) *istio.Reconciler {
		vsLister, drLister := istioListers(client)
		return istio.NewReconciler(r, client, eventRecorder(), vsLister, drLister, nil)
	}
	reconciler := func() *istio.Reconciler { return reconcilerFor(ro) }
	var errs []string
	if err := reconciler().SetWeight(desiredWeight); err != nil {
		return []string{fmt.Sprintf("istio SetWeight(%d): %v", desiredWeight, err)}, nil
	}
	vss := ist.VirtualServices
	if ist.VirtualService != nil {
		vss = append([]v1alpha1.IstioVirtualService{*ist.VirtualService}, vss...)
	}
	getVS := func(ref v1alpha1.IstioVirtualService) (*unstructured.Unstructured, error) {
		ns, name := istioutil.GetVirtualServiceNamespaceName(ref.Name)
		if ns == "" {
			ns = ro.Namespace
		}
		return client.Resource(istioutil.GetIstioVirtualServiceGVR()).Namespace(ns).Get(context.TODO(), name, metav1.GetOptions{})
	}
	// The Services the controller routes to: stable and canary, or with ping-pong and neither of
	// them named, the ping and pong Services (pong stable while status.canary.stablePingPong is empty).
	stable, canary := trafficrouting.GetStableAndCanaryServices(ro, false)
	matchCanary := func(d map[string]any) bool { return hostMatches(d, canary) }
	matchStable := func(d map[string]any) bool { return hostMatches(d, stable) }
	if ist.DestinationRule != nil {
		cs, ss := ist.DestinationRule.CanarySubsetName, ist.DestinationRule.StableSubsetName
		matchCanary = func(d map[string]any) bool { return d["subset"] == cs }
		matchStable = func(d map[string]any) bool { return d["subset"] == ss }
	}
	for _, ref := range vss {
		vs, err := getVS(ref)
		if err != nil {
			errs = append(errs, fmt.Sprintf("istio: VirtualService %s: %v", ref.Name, err))
			continue
		}
		errs = append(errs, checkIstioWeights(vs, ref, matchCanary, matchStable)...)
	}
	// Ping-pong: the release after the first one, once the controller recorded ping as stable, shifts
	// the same routes the other way.
	if trafficrouting.IsPingPongEnabled(ro) && c.StableService == "" && c.CanaryService == "" && ist.DestinationRule == nil {
		next := ro.DeepCopy()
		next.Status.Canary.StablePingPong = v1alpha1.PPPing
		nextStable, nextCanary := trafficrouting.GetStableAndCanaryServices(next, false)
		if err := reconcilerFor(next).SetWeight(desiredWeight); err != nil {
			errs = append(errs, fmt.Sprintf("istio SetWeight(%d), stable ping: %v", desiredWeight, err))
		} else {
			for _, ref := range vss {
				if vs, err := getVS(ref); err == nil {
					errs = append(errs, checkIstioWeights(vs, ref,
						func(d map[string]any) bool { return hostMatches(d, nextCanary) },
						func(d map[string]any) bool { return hostMatches(d, nextStable) })...)
				}
			}
		}
	}
	for _, s := range c.Steps {
		if h := s.SetHeaderRoute; h != nil {
			if err := reconciler().SetHeaderRoute(h); err != nil {
				errs = append(errs, fmt.Sprintf("istio SetHeaderRoute(%s): %v", h.Name, err))
				continue
			}
			for _, ref := range vss {
				if vs, err := getVS(ref); err == nil && len(h.Match) > 0 {
					errs = append(errs, checkNamedRoute(vs, h.Name, "", matchCanary)...)
				}
			}
		}
		if m := s.SetMirrorRoute; m != nil {
			if err := reconciler().SetMirrorRoute(m); err != nil {
				errs = append(errs, fmt.Sprintf("istio SetMirrorRoute(%s): %v", m.Name, err))
				continue
			}
			for _, ref := range vss {
				if vs, err := getVS(ref); err == nil && len(m.Match) > 0 {
					errs = append(errs, checkNamedRoute(vs, m.Name, "mirror", matchCanary)...)
				}
			}
		}
	}
	if ist.DestinationRule != nil {
		if err := reconciler().UpdateHash("canary-hash", "stable-hash"); err != nil {
			errs = append(errs, fmt.Sprintf("istio UpdateHash: %v", err))
		}
	}
	var live []*unstructured.Unstructured
	for key, orig := range before {
		kind, name, _ := strings.Cut(key, "/")
		gvr := istioutil.GetIstioVirtualServiceGVR()
		if kind == "DestinationRule" {
			gvr = istioutil.GetIstioDestinationRuleGVR()
		}
		now, err := client.Resource(gvr).Namespace(orig.GetNamespace()).Get(context.TODO(), name, metav1.GetOptions{})
		if err == nil && !reflect.DeepEqual(now.Object, orig.Object) {
			live = append(live, now)
		}
	}
	return errs, live
}

// hostMatches: Istio destination hosts may be the short Service name or its cluster-local FQDN.
func hostMatches(d map[string]any, svc string) bool {
	h, _ := d["host"].(string)
	return h == svc || strings.HasPrefix(h, svc+".")
}

func routeDestinations(route map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := route["route"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		d, _ := m["destination"].(map[string]any)
		if d != nil {
			w, _ := m["weight"].(int64)
			if f, ok := m["weight"].(float64); ok {
				w = int64(f)
			}
			d = map[string]any{"host": d["host"], "subset": d["subset"], "weight": w}
			out = append(out, d)
		}
	}
	return out
}

// checkIstioWeights: every route the rollout manages sends 30 to the canary and 70 to the stable destination.
func checkIstioWeights(vs *unstructured.Unstructured, ref v1alpha1.IstioVirtualService, canary, stable func(map[string]any) bool) []string {
	var errs []string
	check := func(kind string, routes []any, names func(i int, r map[string]any) bool) int {
		checked := 0
		for i, x := range routes {
			route, _ := x.(map[string]any)
			if !names(i, route) {
				continue
			}
			checked++
			cw, sw := int64(-1), int64(-1)
			for _, d := range routeDestinations(route) {
				if canary(d) {
					cw = d["weight"].(int64)
				} else if stable(d) {
					sw = d["weight"].(int64)
				}
			}
			if cw != desiredWeight || sw != 100-desiredWeight {
				errs = append(errs, fmt.Sprintf("istio: VirtualService %s %s[%d]: canary weight %d, stable weight %d, want %d/%d", vs.GetName(), kind, i, cw, sw, desiredWeight, 100-desiredWeight))
			}
		}
		return checked
	}
	http, _, _ := unstructured.NestedSlice(vs.Object, "spec", "http")
	n := check("http", http, func(i int, r map[string]any) bool {
		if len(ref.Routes) == 0 {
			return len(ref.TLSRoutes) == 0 && len(ref.TCPRoutes) == 0 && len(http) == 1
		}
		name, _ := r["name"].(string)
		for _, want := range ref.Routes {
			if want == name {
				return true
			}
		}
		return false
	})
	portMatch := func(r map[string]any, port int64, sni []string) bool {
		matches, _ := r["match"].([]any)
		for _, m := range matches {
			mm, _ := m.(map[string]any)
			p, _ := mm["port"].(int64)
			if f, ok := mm["port"].(float64); ok {
				p = int64(f)
			}
			if port == 0 || p == port {
				return true
			}
		}
		return false
	}
	tls, _, _ := unstructured.NestedSlice(vs.Object, "spec", "tls")
	n += check("tls", tls, func(i int, r map[string]any) bool {
		for _, t := range ref.TLSRoutes {
			if portMatch(r, t.Port, t.SNIHosts) {
				return true
			}
		}
		return false
	})
	tcp, _, _ := unstructured.NestedSlice(vs.Object, "spec", "tcp")
	n += check("tcp", tcp, func(i int, r map[string]any) bool {
		for _, t := range ref.TCPRoutes {
			if portMatch(r, t.Port, nil) {
				return true
			}
		}
		return false
	})
	if n == 0 {
		errs = append(errs, fmt.Sprintf("istio: VirtualService %s: no route the rollout manages", vs.GetName()))
	}
	return errs
}

// checkNamedRoute: a header or mirror route the controller added, sending to (or mirroring) the canary.
func checkNamedRoute(vs *unstructured.Unstructured, name, field string, canary func(map[string]any) bool) []string {
	http, _, _ := unstructured.NestedSlice(vs.Object, "spec", "http")
	for _, x := range http {
		route, _ := x.(map[string]any)
		if route["name"] != name {
			continue
		}
		if field == "mirror" {
			m, _ := route["mirror"].(map[string]any)
			if m == nil || !canary(m) {
				return []string{fmt.Sprintf("istio: VirtualService %s route %s does not mirror to the canary: %v", vs.GetName(), name, route["mirror"])}
			}
			return nil
		}
		for _, d := range routeDestinations(route) {
			if canary(d) {
				return nil
			}
		}
		return []string{fmt.Sprintf("istio: VirtualService %s header route %s does not route to the canary", vs.GetName(), name)}
	}
	return []string{fmt.Sprintf("istio: VirtualService %s has no route %s after the step", vs.GetName(), name)}
}

func toUnstructured(obj any, gvk schema.GroupVersionKind) *unstructured.Unstructured {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		panic(err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	if md, ok := m["metadata"].(map[string]any); ok && md["creationTimestamp"] == nil {
		delete(md, "creationTimestamp")
	}
	return u
}

// writeLive writes each object as <kind>-<namespace>-<name>.yaml (kind lower-cased) into liveDir/<app>/
// when the input holds several apps, into liveDir itself for a single app at the top.
func writeLive(liveDir, appName string, objs []*unstructured.Unstructured) {
	if liveDir == "" {
		return
	}
	dir := liveDir
	if appName != "." {
		dir = filepath.Join(liveDir, appName)
	}
	_ = os.MkdirAll(dir, 0o755)
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			panic(err)
		}
		name := fmt.Sprintf("%s-%s-%s.yaml", strings.ToLower(o.GetKind()), o.GetNamespace(), o.GetName())
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			panic(err)
		}
	}
}
