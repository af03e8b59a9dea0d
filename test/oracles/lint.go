package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/validation"
	"github.com/argoproj/argo-rollouts/pkg/kubectl-argo-rollouts/cmd/lint"
	"github.com/argoproj/argo-rollouts/pkg/kubectl-argo-rollouts/options"
	analysisutil "github.com/argoproj/argo-rollouts/utils/analysis"
	"github.com/argoproj/argo-rollouts/utils/evaluate"
	ingressutil "github.com/argoproj/argo-rollouts/utils/ingress"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

const argoGroup = "argoproj.io"

func runLint(dir string) error {
	apps, err := loadApps(dir)
	if err != nil {
		return err
	}
	for _, a := range apps {
		for _, f := range a.Files {
			emit(result{Check: "lint", App: a.Name, File: f, Errors: kubectlLint(f)})
		}
		for _, d := range a.Docs {
			if d.Err != nil {
				i := d.Index
				emit(result{Check: "parse", App: a.Name, File: d.File, Index: &i, Errors: []string{d.Err.Error()}})
			}
		}
		lintDuplicates(a)
		for _, d := range a.Docs {
			if d.Obj == nil {
				continue
			}
			if errs, covered := apiserverErrors(d.Obj); covered {
				r := objResult("apiserver", a, d.Obj)
				r.Errors = errs
				emit(r)
			}
		}
		for _, o := range a.objects(argoGroup, "AnalysisTemplate") {
			lintTemplate(a, o)
		}
		for _, o := range a.objects(argoGroup, "ClusterAnalysisTemplate") {
			lintTemplate(a, o)
		}
		for _, o := range a.objects(argoGroup, "Experiment") {
			lintExperiment(a, o)
		}
		for _, o := range a.objects(argoGroup, "Rollout") {
			lintRolloutReferences(a, o)
		}
	}
	return nil
}

// kubectlLint runs `kubectl argo rollouts lint -f FILE` (the plugin's own command) and returns what it printed.
func kubectlLint(file string) []string {
	r, w, err := os.Pipe()
	if err != nil {
		return []string{err.Error()}
	}
	saved := os.Stdout
	os.Stdout = w
	lines := make(chan []string)
	go func() {
		var l []string
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 1<<20), 1<<24)
		for s.Scan() {
			l = append(l, s.Text())
		}
		lines <- l
	}()
	cmd := lint.NewCmdLint(options.NewArgoRolloutsOptions(genericclioptions.IOStreams{In: os.Stdin, Out: io.Discard, ErrOut: io.Discard}))
	cmd.SetArgs([]string{"-f", file})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	runErr := cmd.Execute()
	os.Stdout = saved
	w.Close()
	printed := <-lines
	r.Close()
	var errs []string
	for _, l := range printed {
		if strings.TrimSpace(l) != "" {
			errs = append(errs, l)
		}
	}
	if runErr != nil && len(errs) == 0 {
		errs = append(errs, runErr.Error())
	}
	return errs
}

func objResult(check string, a *app, o *unstructured.Unstructured) result {
	return result{Check: check, App: a.Name, File: a.fileOf(o), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

// lintDuplicates: two objects with the same group, kind, namespace and name overwrite each other when applied.
func lintDuplicates(a *app) {
	seen := map[string]bool{}
	for _, d := range a.Docs {
		if d.Obj == nil {
			continue
		}
		o := d.Obj
		key := fmt.Sprintf("%s/%s/%s/%s", o.GroupVersionKind().Group, o.GetKind(), o.GetNamespace(), o.GetName())
		if seen[key] {
			r := objResult("duplicate", a, o)
			r.Errors = []string{fmt.Sprintf("%s %s/%s is written twice; the last one applied wins", o.GetKind(), o.GetNamespace(), o.GetName())}
			emit(r)
		}
		seen[key] = true
	}
}

// placeholderArgs gives every argument without a value the controller's "dummy-value", as its
// reference validation does, so that a template's metrics can be resolved on their own.
func placeholderArgs(args []v1alpha1.Argument) []v1alpha1.Argument {
	out := make([]v1alpha1.Argument, len(args))
	for i, arg := range args {
		out[i] = *arg.DeepCopy()
		if out[i].Value == nil {
			v := "dummy-value"
			out[i].Value = &v
			out[i].ValueFrom = nil
		}
	}
	return out
}

// conditionSamples are result values the providers return (Prometheus: a vector or a scalar; web: JSON).
var conditionSamples = []any{[]float64{1}, float64(1), map[string]any{}, []any{}, true, "1"}

// conditionErrors evaluates a condition with the controller's evaluator; it is an error only when
// no result shape evaluates it (a compile error fails for every shape).
func conditionErrors(prop, cond string) []string {
	if cond == "" {
		return nil
	}
	var first error
	for _, s := range conditionSamples {
		_, err := evaluate.EvalCondition(s, cond)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return []string{fmt.Sprintf("%s %q: %v", prop, cond, first)}
}

// templateSpecErrors applies what the analysis controller does to a run of this template alone:
// resolve metric args, ValidateMetrics, dry-run and retention selectors, condition evaluation.
func templateSpecErrors(a *app, namespace string, spec v1alpha1.AnalysisTemplateSpec, notes *[]string) []string {
	var errs []string
	args := placeholderArgs(spec.Args)
	resolved := make([]v1alpha1.Metric, 0, len(spec.Metrics))
	for i, m := range spec.Metrics {
		rm, err := analysisutil.ResolveMetricArgs(m, args)
		if err != nil {
			errs = append(errs, fmt.Sprintf("spec.metrics[%d] (%s): %v", i, m.Name, err))
			continue
		}
		resolved = append(resolved, *rm)
		errs = append(errs, conditionErrors(fmt.Sprintf("spec.metrics[%d].successCondition", i), m.SuccessCondition)...)
		errs = append(errs, conditionErrors(fmt.Sprintf("spec.metrics[%d].failureCondition", i), m.FailureCondition)...)
	}
	if len(errs) > 0 {
		return errs
	}
	if len(spec.Templates) == 0 || len(resolved) > 0 {
		if err := analysisutil.ValidateMetrics(resolved); err != nil {
			errs = append(errs, "Analysis spec invalid: "+err.Error())
		}
	}
	if _, err := analysisutil.GetDryRunMetrics(spec.DryRun, resolved); err != nil {
		errs = append(errs, "Analysis spec invalid: "+err.Error())
	}
	if _, err := analysisutil.GetMeasurementRetentionMetrics(spec.MeasurementRetention, resolved); err != nil {
		errs = append(errs, "Analysis spec invalid: "+err.Error())
	}
	if len(spec.Templates) > 0 {
		ts, cts, err := resolveTemplateRefs(a, namespace, spec.Templates, field.NewPath("spec", "templates"), notes)
		if err != nil {
			errs = append(errs, err.Error())
		} else if _, err := analysisutil.FlattenTemplates(ts, cts); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return errs
}

func lintTemplate(a *app, o *unstructured.Unstructured) {
	r := objResult("lint", a, o)
	var spec v1alpha1.AnalysisTemplateSpec
	if o.GetKind() == "ClusterAnalysisTemplate" {
		var t v1alpha1.ClusterAnalysisTemplate
		if err := strictInto(o, &t); err != nil {
			r.Errors = []string{err.Error()}
			emit(r)
			return
		}
		spec = t.Spec
	} else {
		var t v1alpha1.AnalysisTemplate
		if err := strictInto(o, &t); err != nil {
			r.Errors = []string{err.Error()}
			emit(r)
			return
		}
		spec = t.Spec
	}
	r.Errors = templateSpecErrors(a, o.GetNamespace(), spec, &r.Notes)
	emit(r)
}

// resolveTemplateRefs looks templates up as the controller's listers do: AnalysisTemplates in the
// referencing object's namespace, ClusterAnalysisTemplates by name, nested templates included.
// A reference to a template the app does not contain is a note (it may be installed elsewhere).
func resolveTemplateRefs(a *app, namespace string, refs []v1alpha1.AnalysisTemplateRef, fldPath *field.Path, notes *[]string) ([]*v1alpha1.AnalysisTemplate, []*v1alpha1.ClusterAnalysisTemplate, error) {
	var ts []*v1alpha1.AnalysisTemplate
	var cts []*v1alpha1.ClusterAnalysisTemplate
	for _, ref := range refs {
		var nested []v1alpha1.AnalysisTemplateRef
		if ref.IsClusterScope() {
			o := a.find(argoGroup, "ClusterAnalysisTemplate", "*", ref.TemplateName)
			if o == nil {
				*notes = append(*notes, fmt.Sprintf("%s: ClusterAnalysisTemplate '%s' is not in the app", fldPath, ref.TemplateName))
				return nil, nil, errUnresolved
			}
			var t v1alpha1.ClusterAnalysisTemplate
			if err := strictInto(o, &t); err != nil {
				return nil, nil, err
			}
			cts = append(cts, &t)
			nested = t.Spec.Templates
		} else {
			o := a.find(argoGroup, "AnalysisTemplate", namespace, ref.TemplateName)
			if o == nil {
				if other := a.find(argoGroup, "AnalysisTemplate", "*", ref.TemplateName); other != nil {
					return nil, nil, field.Invalid(fldPath, ref.TemplateName, fmt.Sprintf("AnalysisTemplate '%s' not found (it is in namespace %q, the rollout in %q)", ref.TemplateName, other.GetNamespace(), namespace))
				}
				*notes = append(*notes, fmt.Sprintf("%s: AnalysisTemplate '%s' is not in the app", fldPath, ref.TemplateName))
				return nil, nil, errUnresolved
			}
			var t v1alpha1.AnalysisTemplate
			if err := strictInto(o, &t); err != nil {
				return nil, nil, err
			}
			ts = append(ts, &t)
			nested = t.Spec.Templates
		}
		if len(nested) > 0 {
			its, icts, err := resolveTemplateRefs(a, namespace, nested, field.NewPath("spec", "templates"), notes)
			if err != nil {
				return nil, nil, err
			}
			ts, cts = append(ts, its...), append(cts, icts...)
		}
	}
	ts, cts = analysisutil.FilterUniqueTemplates(ts, cts)
	return ts, cts, nil
}

type unresolvedError struct{}

func (unresolvedError) Error() string { return "unresolved template reference" }

var errUnresolved error = unresolvedError{}

func lintExperiment(a *app, o *unstructured.Unstructured) {
	r := objResult("lint", a, o)
	var ex v1alpha1.Experiment
	if err := strictInto(o, &ex); err != nil {
		r.Errors = []string{err.Error()}
		emit(r)
		return
	}
	for i, an := range ex.Spec.Analyses {
		fld := field.NewPath("spec", "analyses").Index(i)
		ref := v1alpha1.AnalysisTemplateRef{TemplateName: an.TemplateName, ClusterScope: an.ClusterScope}
		ts, cts, err := resolveTemplateRefs(a, ex.Namespace, []v1alpha1.AnalysisTemplateRef{ref}, fld, &r.Notes)
		if err == errUnresolved {
			continue
		}
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			continue
		}
		run, err := analysisutil.NewAnalysisRunFromTemplates(ts, cts, an.Args, ex.Spec.DryRun, ex.Spec.MeasurementRetention, nil, nil, an.Name, "", ex.Namespace)
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", fld, err))
			continue
		}
		// What the analysis controller does first with the run the experiment creates.
		if _, err := analysisutil.GetDryRunMetrics(run.Spec.DryRun, run.Spec.Metrics); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: Analysis spec invalid: %v", fld, err))
		}
		if _, err := analysisutil.GetMeasurementRetentionMetrics(run.Spec.MeasurementRetention, run.Spec.Metrics); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: Analysis spec invalid: %v", fld, err))
		}
	}
	emit(r)
}

// lintRolloutReferences does what the controller does before it reconciles a rollout: fetch the
// Services, Ingresses, VirtualServices and AnalysisTemplates it references and validate them with
// validation.ValidateRolloutReferencedResources; then create each AnalysisRun it would create.
func lintRolloutReferences(a *app, o *unstructured.Unstructured) {
	r := objResult("references", a, o)
	var ro v1alpha1.Rollout
	if err := strictInto(o, &ro); err != nil {
		r.Errors = []string{err.Error()}
		emit(r)
		return
	}
	ns := ro.Namespace
	refs := validation.ReferencedResources{}
	addService := func(name string, t validation.ServiceType) {
		if name == "" {
			return
		}
		so := a.find("", "Service", ns, name)
		if so == nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: service %q not found", validation.GetServiceWithTypeFieldPath(t), name))
			return
		}
		var svc corev1.Service
		if err := strictInto(so, &svc); err != nil {
			r.Errors = append(r.Errors, err.Error())
			return
		}
		refs.ServiceWithType = append(refs.ServiceWithType, validation.ServiceWithType{Service: &svc, Type: t})
	}
	var analyses []validation.AnalysisTemplatesWithType
	addAnalysis := func(ra *v1alpha1.RolloutAnalysis, t validation.AnalysisTemplateType, step int) {
		if ra == nil {
			return
		}
		fld := validation.GetAnalysisTemplateWithTypeFieldPath(t, step)
		ts, cts, err := resolveTemplateRefs(a, ns, ra.Templates, fld, &r.Notes)
		if err == errUnresolved {
			return
		}
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			return
		}
		analyses = append(analyses, validation.AnalysisTemplatesWithType{AnalysisTemplates: ts, ClusterAnalysisTemplates: cts, TemplateType: t, CanaryStepIndex: step, Args: ra.Args})
		// The AnalysisRun the rollout creates, with its dryRun / measurementRetention, as the analysis controller reads it.
		args := make([]v1alpha1.Argument, 0, len(ra.Args))
		for _, x := range ra.Args {
			v := x.Value
			if v == "" {
				v = "resolved-at-run-time"
			}
			args = append(args, v1alpha1.Argument{Name: x.Name, Value: &v})
		}
		run, err := analysisutil.NewAnalysisRunFromTemplates(ts, cts, args, ra.DryRun, ra.MeasurementRetention, nil, nil, "run", "", ns)
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %v", fld, err))
			return
		}
		if _, err := analysisutil.GetDryRunMetrics(run.Spec.DryRun, run.Spec.Metrics); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: Analysis spec invalid: %v", fld, err))
		}
		if _, err := analysisutil.GetMeasurementRetentionMetrics(run.Spec.MeasurementRetention, run.Spec.Metrics); err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s: Analysis spec invalid: %v", fld, err))
		}
	}
	if c := ro.Spec.Strategy.Canary; c != nil {
		addService(c.StableService, validation.StableService)
		addService(c.CanaryService, validation.CanaryService)
		if c.PingPong != nil {
			addService(c.PingPong.PingService, validation.PingService)
			addService(c.PingPong.PongService, validation.PongService)
		}
		for i, s := range c.Steps {
			addAnalysis(s.Analysis, validation.InlineAnalysis, i)
		}
		if c.Analysis != nil {
			addAnalysis(&c.Analysis.RolloutAnalysis, validation.BackgroundAnalysis, 0)
		}
		if tr := c.TrafficRouting; tr != nil {
			if tr.Nginx != nil {
				names := tr.Nginx.StableIngresses
				if tr.Nginx.StableIngress != "" {
					names = append([]string{tr.Nginx.StableIngress}, names...)
				}
				for _, n := range names {
					io := a.find(networkingv1.GroupName, "Ingress", ns, n)
					if io == nil {
						r.Errors = append(r.Errors, fmt.Sprintf("spec.strategy.canary.trafficRouting.nginx: ingress %q not found", n))
						continue
					}
					var ing networkingv1.Ingress
					if err := strictInto(io, &ing); err != nil {
						r.Errors = append(r.Errors, err.Error())
						continue
					}
					refs.Ingresses = append(refs.Ingresses, *ingressutil.NewIngress(&ing))
				}
			}
			if tr.Istio != nil {
				vss := tr.Istio.VirtualServices
				if tr.Istio.VirtualService != nil {
					vss = append([]v1alpha1.IstioVirtualService{*tr.Istio.VirtualService}, vss...)
				}
				for _, v := range vss {
					name, vns := v.Name, ns
					if i := strings.Index(name, "."); i >= 0 {
						name, vns = name[:i], name[i+1:]
					}
					vo := a.find("networking.istio.io", "VirtualService", vns, name)
					if vo == nil {
						r.Errors = append(r.Errors, fmt.Sprintf("spec.strategy.canary.trafficRouting.istio: VirtualService %q not found", v.Name))
						continue
					}
					refs.VirtualServices = append(refs.VirtualServices, *vo.DeepCopy())
				}
			}
		}
	}
	if bg := ro.Spec.Strategy.BlueGreen; bg != nil {
		addService(bg.ActiveService, validation.ActiveService)
		addService(bg.PreviewService, validation.PreviewService)
		addAnalysis(bg.PrePromotionAnalysis, validation.PrePromotionAnalysis, 0)
		addAnalysis(bg.PostPromotionAnalysis, validation.PostPromotionAnalysis, 0)
	}
	refs.AnalysisTemplatesWithType = analyses
	for _, e := range validation.ValidateRollout(&ro) {
		r.Errors = append(r.Errors, e.Error())
	}
	for _, e := range validation.ValidateRolloutReferencedResources(&ro, refs) {
		r.Errors = append(r.Errors, e.Error())
	}
	emit(r)
}
