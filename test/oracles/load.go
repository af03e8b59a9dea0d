package main

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// doc is one YAML document of a synthesised file, read as kubectl and Argo CD read it.
type doc struct {
	File  string
	Index int
	Raw   []byte
	JSON  []byte
	Obj   *unstructured.Unstructured
	Err   error
}

// app is the unit references resolve in: each first-level folder of the input directory
// (or the directory itself for files directly in it) is one synthesised app.
type app struct {
	Name  string
	Files []string
	Docs  []*doc
}

func yamlFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// splitDocs splits a multi-document file with the API machinery's reader (kubectl, Argo CD).
func splitDocs(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out [][]byte
	for {
		b, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if len(bytes.TrimSpace(b)) == 0 || isOnlyComments(b) {
			continue
		}
		out = append(out, b)
	}
}

func isOnlyComments(b []byte) bool {
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && t != "---" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

func readDocs(file string) ([]*doc, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	parts, err := splitDocs(data)
	if err != nil {
		return []*doc{{File: file, Err: err}}, nil
	}
	var docs []*doc
	for i, p := range parts {
		d := &doc{File: file, Index: i, Raw: p}
		d.JSON, d.Err = yaml.YAMLToJSON(p)
		if d.Err == nil {
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(d.JSON); err != nil {
				d.Err = err
			} else {
				d.Obj = u
			}
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func loadApps(root string) ([]*app, error) {
	files, err := yamlFiles(root)
	if err != nil {
		return nil, err
	}
	byName := map[string]*app{}
	var apps []*app
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		name := "."
		if i := strings.IndexRune(rel, filepath.Separator); i >= 0 {
			name = rel[:i]
		}
		a := byName[name]
		if a == nil {
			a = &app{Name: name}
			byName[name] = a
			apps = append(apps, a)
		}
		docs, err := readDocs(f)
		if err != nil {
			return nil, err
		}
		a.Files = append(a.Files, f)
		a.Docs = append(a.Docs, docs...)
	}
	return apps, nil
}

// objects of the app with the given kind (and API group, "" for core), in file order.
func (a *app) objects(group, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, d := range a.Docs {
		if d.Obj != nil && d.Obj.GetKind() == kind && d.Obj.GroupVersionKind().Group == group {
			out = append(out, d.Obj)
		}
	}
	return out
}

func (a *app) find(group, kind, namespace, name string) *unstructured.Unstructured {
	for _, o := range a.objects(group, kind) {
		if o.GetName() == name && (namespace == "*" || o.GetNamespace() == namespace) {
			return o
		}
	}
	return nil
}

func (a *app) fileOf(o *unstructured.Unstructured) string {
	for _, d := range a.Docs {
		if d.Obj == o {
			return d.File
		}
	}
	return ""
}

// strictInto decodes an object into a typed struct, unknown fields being errors (as lint does).
func strictInto(o *unstructured.Unstructured, out any) error {
	b, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	return yaml.UnmarshalStrict(b, out, yaml.DisallowUnknownFields)
}
