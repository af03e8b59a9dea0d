// Command argocd-diff reports, per object, whether Argo CD v3.5.1 sees a difference between the
// desired manifests (the synthesised YAML) and the live objects (as the Argo Rollouts controller left
// them) under an Application's ignoreDifferences. It runs Argo CD's own code: gitops-engine's
// pkg/diff with Argo CD's ignore-differences and known-types normalizers, as the application
// controller's comparison does (util/argo/diff).
//
//	argocd-diff --desired DIR --live DIR --application FILE [--name NAME]
//	argocd-diff appset --applicationset FILE [--clusters FILE] --out DIR   (see appset.go)
//
// The live objects are taken as applied by Argo CD's client-side apply: an object without the
// kubectl.kubernetes.io/last-applied-configuration annotation gets the desired object as its last
// applied configuration (the three-way diff Argo CD runs). With --untouched-as-desired, a desired
// object with no live one is live exactly as applied (the controller did not write to it). Output: one JSON line per object,
// {"kind","namespace","name","status","diff"}; status is "synced", "modified", "missing" (desired,
// not live) or "extra" (live, not desired: "prunable" tells whether it carries Argo CD's tracking).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/diff"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo/normalizers"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

type result struct {
	Kind      string `json:"kind"`
	Group     string `json:"group"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Prunable  *bool  `json:"prunable,omitempty"`
	Diff      string `json:"diff,omitempty"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "appset" {
		if err := appsetCommand(os.Args[2:]); err != nil {
			fail(err)
		}
		return
	}
	desiredDir := flag.String("desired", "", "directory or file of desired YAML manifests")
	liveDir := flag.String("live", "", "directory or file of live objects")
	appFile := flag.String("application", "", "YAML file(s) holding the Application")
	appName := flag.String("name", "", "the Application's name, when the file holds several")
	untouched := flag.Bool("untouched-as-desired", false, "a desired object with no live one is live as applied (the controller did not write to it)")
	flag.Parse()
	if *desiredDir == "" || *liveDir == "" || *appFile == "" {
		fail(fmt.Errorf("--desired, --live and --application are required"))
	}
	app, err := application(*appFile, *appName)
	if err != nil {
		fail(err)
	}
	desired, err := load(*desiredDir)
	if err != nil {
		fail(err)
	}
	live, err := load(*liveDir)
	if err != nil {
		fail(err)
	}
	results, err := compare(app, desired, live, *untouched)
	if err != nil {
		fail(err)
	}
	out := json.NewEncoder(os.Stdout)
	for _, r := range results {
		if err := out.Encode(r); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "argocd-diff:", err)
	os.Exit(2)
}

func key(o *unstructured.Unstructured, defaultNamespace string) string {
	ns := o.GetNamespace()
	if ns == "" {
		ns = defaultNamespace
	}
	return strings.Join([]string{o.GroupVersionKind().Group, o.GetKind(), ns, o.GetName()}, "/")
}

func compare(app *v1alpha1.Application, desired, live []*unstructured.Unstructured, untouched bool) ([]result, error) {
	ignore, err := normalizers.NewIgnoreNormalizer(app.Spec.IgnoreDifferences, nil, normalizers.IgnoreNormalizerOpts{})
	if err != nil {
		return nil, err
	}
	known, err := normalizers.NewKnownTypesNormalizer(nil)
	if err != nil {
		return nil, err
	}
	normalizer := chain{ignore, known}
	ns := app.Spec.Destination.Namespace
	liveByKey := map[string]*unstructured.Unstructured{}
	for _, o := range live {
		liveByKey[key(o, ns)] = o
	}
	seen := map[string]bool{}
	var results []result
	for _, d := range desired {
		if d.GetKind() == "Application" && d.GroupVersionKind().Group == "argoproj.io" {
			continue
		}
		k := key(d, ns)
		seen[k] = true
		r := result{Kind: d.GetKind(), Group: d.GroupVersionKind().Group, Namespace: namespaceOf(d, ns), Name: d.GetName()}
		l, ok := liveByKey[k]
		if !ok && untouched {
			l, ok = d, true
		}
		if !ok {
			r.Status = "missing"
			results = append(results, r)
			continue
		}
		l = l.DeepCopy()
		if d.GetNamespace() == "" {
			d = d.DeepCopy()
			d.SetNamespace(ns)
		}
		if _, has := l.GetAnnotations()[lastApplied]; !has {
			applied, err := json.Marshal(d.Object)
			if err != nil {
				return nil, err
			}
			annotations := l.GetAnnotations()
			if annotations == nil {
				annotations = map[string]string{}
			}
			annotations[lastApplied] = string(applied)
			l.SetAnnotations(annotations)
		}
		res, err := diff.Diff(d, l, diff.WithNormalizer(normalizer))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if res.Modified {
			r.Status = "modified"
			r.Diff = lineDiff(res.PredictedLive, res.NormalizedLive)
		} else {
			r.Status = "synced"
		}
		results = append(results, r)
	}
	for _, l := range live {
		k := key(l, ns)
		if seen[k] {
			continue
		}
		prunable := tracked(l)
		results = append(results, result{Kind: l.GetKind(), Group: l.GroupVersionKind().Group, Namespace: namespaceOf(l, ns), Name: l.GetName(), Status: "extra", Prunable: &prunable})
	}
	return results, nil
}

// tracked: the object carries Argo CD's tracking annotation or label (only those are pruned).
func tracked(o *unstructured.Unstructured) bool {
	if _, ok := o.GetAnnotations()["argocd.argoproj.io/tracking-id"]; ok {
		return true
	}
	_, ok := o.GetLabels()["app.kubernetes.io/instance"]
	return ok
}

func namespaceOf(o *unstructured.Unstructured, def string) string {
	if o.GetNamespace() != "" {
		return o.GetNamespace()
	}
	return def
}

type chain []diff.Normalizer

func (c chain) Normalize(un *unstructured.Unstructured) error {
	for _, n := range c {
		if err := n.Normalize(un); err != nil {
			return err
		}
	}
	return nil
}

// lineDiff: the lines of the predicted live object (after sync) that differ from the live one.
func lineDiff(predicted, live []byte) string {
	p, _ := yaml.JSONToYAML(predicted)
	l, _ := yaml.JSONToYAML(live)
	pl := strings.Split(string(p), "\n")
	ll := strings.Split(string(l), "\n")
	inLive := map[string]int{}
	for _, s := range ll {
		inLive[s]++
	}
	inPred := map[string]int{}
	for _, s := range pl {
		inPred[s]++
	}
	var b strings.Builder
	for _, s := range ll {
		if inPred[s] == 0 {
			b.WriteString("- " + s + "\n")
		}
	}
	for _, s := range pl {
		if inLive[s] == 0 {
			b.WriteString("+ " + s + "\n")
		}
	}
	return b.String()
}

func application(path, name string) (*v1alpha1.Application, error) {
	objects, err := load(path)
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		if o.GetKind() != "Application" || (name != "" && o.GetName() != name) {
			continue
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		var app v1alpha1.Application
		if err := json.Unmarshal(data, &app); err != nil {
			return nil, err
		}
		return &app, nil
	}
	return nil, fmt.Errorf("no Application %q in %s", name, path)
}

// load reads every YAML document of a file, or of every .yaml/.yml/.json file under a directory.
func load(path string) ([]*unstructured.Unstructured, error) {
	var files []string
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		err = filepath.WalkDir(path, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".json")) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
	} else {
		files = []string{path}
	}
	var out []*unstructured.Unstructured
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bufio.NewReader(bytes.NewReader(data)), 4096)
		for {
			var obj map[string]interface{}
			if err := decoder.Decode(&obj); err != nil {
				if err == io.EOF {
					break
				}
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(obj) == 0 {
				continue
			}
			out = append(out, &unstructured.Unstructured{Object: obj})
		}
	}
	return out, nil
}
