package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/runtime"
)

// crdDir is $ORACLE_CRDS, else ../shared/crds beside the clone (the binary is test/oracles/bin/oracle).
func crdDir() string {
	if d := os.Getenv("ORACLE_CRDS"); d != "" {
		return d
	}
	exe, err := os.Executable()
	if err != nil {
		return filepath.Join("..", "shared", "crds")
	}
	return filepath.Join(filepath.Dir(exe), "..", "..", "..", "..", "shared", "crds")
}

// servedSchemas holds, per group/kind and version, the structural schema the API server serves.
type servedSchemas map[string]map[string]*structuralschema.Structural

// loadCRDs reads every CustomResourceDefinition below dir (the same one in two files is read once,
// two different ones are an error) and builds each served version's
// structural schema as the CR handler does (GetSchemaForVersion, conversion to the internal type,
// NewStructural, PruneDefaults).
func loadCRDs(dir string) (servedSchemas, error) {
	files, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	out := servedSchemas{}
	seen := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, f := range files {
		docs, err := readDocs(f)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if d.Obj == nil || d.Obj.GetKind() != "CustomResourceDefinition" || d.Obj.GetAPIVersion() != "apiextensions.k8s.io/v1" {
				continue
			}
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := json.Unmarshal(d.JSON, crd); err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
			gk := crd.Spec.Group + "/" + crd.Spec.Names.Kind
			if prev := seen[gk]; prev != nil {
				if !reflect.DeepEqual(prev.Spec, crd.Spec) {
					return nil, fmt.Errorf("%s: a different CustomResourceDefinition of %s was read before", f, gk)
				}
				continue
			}
			seen[gk] = crd
			if out[gk] == nil {
				out[gk] = map[string]*structuralschema.Structural{}
			}
			for _, v := range crd.Spec.Versions {
				if !v.Served {
					continue
				}
				val, err := apiextensionshelpers.GetSchemaForVersion(crd, v.Name)
				if err != nil || val == nil {
					return nil, fmt.Errorf("%s: %s %s: no schema (%v)", f, gk, v.Name, err)
				}
				internal := &apiextensionsinternal.CustomResourceValidation{}
				if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
					return nil, fmt.Errorf("%s: %s %s: %v", f, gk, v.Name, err)
				}
				s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
				if err != nil {
					return nil, fmt.Errorf("%s: %s %s: not structural: %v", f, gk, v.Name, err)
				}
				s = s.DeepCopy()
				if err := structuraldefaulting.PruneDefaults(s); err != nil {
					return nil, fmt.Errorf("%s: %s %s: %v", f, gk, v.Name, err)
				}
				out[gk][v.Name] = s
			}
		}
	}
	return out, nil
}

// runCRDDefaults applies, to every custom resource whose CRD is pinned, what the API server does to
// its body on create and on a server-side apply: pruning of unknown fields,
// PruneNonNullableNullsWithoutDefaults and the structural schema's defaulting. Every field that
// changes is an error: the stored object would differ from the manifest (a diff in Argo CD).
func runCRDDefaults(dir string) error {
	schemas, err := loadCRDs(crdDir())
	if err != nil {
		return err
	}
	if len(schemas) == 0 {
		return fmt.Errorf("no CustomResourceDefinition under %s", crdDir())
	}
	apps, err := loadApps(dir)
	if err != nil {
		return err
	}
	for _, a := range apps {
		for _, d := range a.Docs {
			if d.Obj == nil {
				continue
			}
			gvk := d.Obj.GroupVersionKind()
			versions := schemas[gvk.Group+"/"+gvk.Kind]
			if versions == nil {
				continue
			}
			i := d.Index
			r := result{Check: "crd-defaults", App: a.Name, File: d.File, Index: &i, Kind: gvk.Kind, Namespace: d.Obj.GetNamespace(), Name: d.Obj.GetName()}
			s := versions[gvk.Version]
			if s == nil {
				r.Errors = []string{fmt.Sprintf("version %s of %s/%s is not served by the pinned CRD", gvk.Version, gvk.Group, gvk.Kind)}
				emit(r)
				continue
			}
			before := runtime.DeepCopyJSON(d.Obj.Object)
			after := runtime.DeepCopyJSON(d.Obj.Object)
			structuralpruning.Prune(after, s, true)
			structuraldefaulting.PruneNonNullableNullsWithoutDefaults(after, s)
			structuraldefaulting.Default(after, s)
			r.Errors = jsonDiff("", before, after)
			emit(r)
		}
	}
	return nil
}

// jsonDiff lists the paths where b differs from a: "PATH: defaulted to V" for an added field,
// "PATH: changed from V to W", "PATH: removed" (pruned).
func jsonDiff(path string, a, b any) []string {
	if reflect.DeepEqual(a, b) {
		return nil
	}
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := map[string]bool{}
			for k := range av {
				keys[k] = true
			}
			for k := range bv {
				keys[k] = true
			}
			var sorted []string
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			var out []string
			for _, k := range sorted {
				x, inA := av[k]
				y, inB := bv[k]
				p := path + "." + k
				switch {
				case inA && !inB:
					out = append(out, p+": removed")
				case !inA && inB:
					out = append(out, p+": defaulted to "+compact(y))
				default:
					out = append(out, jsonDiff(p, x, y)...)
				}
			}
			return out
		}
	case []any:
		if bv, ok := b.([]any); ok && len(av) == len(bv) {
			var out []string
			for i := range av {
				out = append(out, jsonDiff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i])...)
			}
			return out
		}
	}
	return []string{fmt.Sprintf("%s: changed from %s to %s", path, compact(a), compact(b))}
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
