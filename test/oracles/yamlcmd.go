package main

import "encoding/json"

// runYaml prints every document as sigs.k8s.io/yaml (kubectl, the API server, Argo CD) reads it.
func runYaml(dir string) error {
	files, err := yamlFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range files {
		docs, err := readDocs(f)
		if err != nil {
			return err
		}
		for _, d := range docs {
			i := d.Index
			r := result{Check: "yaml", File: f, Index: &i}
			if d.Err != nil {
				r.Errors = []string{d.Err.Error()}
			} else {
				var v any
				if err := json.Unmarshal(d.JSON, &v); err != nil {
					r.Errors = []string{err.Error()}
				}
				r.JSON = v
				if d.Obj != nil {
					r.Kind, r.Namespace, r.Name = d.Obj.GetKind(), d.Obj.GetNamespace(), d.Obj.GetName()
				}
			}
			emit(r)
		}
	}
	return nil
}
