// Command oracle runs the Argo Rollouts controller's own code (v1.9.1) on synthesised manifests:
//
//	oracle lint DIR                      kubectl argo rollouts lint + the controller's reference and analysis validation
//	oracle reconcile [--write-live OUT] DIR   the nginx, Istio and ALB traffic reconcilers with the controller's fake clients
//	oracle crd-defaults DIR              the API server's pruning and defaulting of custom resources (pinned CRDs)
//	oracle yaml DIR                      every document read with sigs.k8s.io/yaml, printed as JSON
//
// Output: one JSON object per line (see README.md). Exit status 0 when every result is ok, 1 otherwise, 2 on usage errors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	log "github.com/sirupsen/logrus"
)

// result is one line of output.
type result struct {
	Check     string   `json:"check"`
	App       string   `json:"app,omitempty"`
	File      string   `json:"file,omitempty"`
	Index     *int     `json:"index,omitempty"`
	Kind      string   `json:"kind,omitempty"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name,omitempty"`
	OK        bool     `json:"ok"`
	Errors    []string `json:"errors"`
	Notes     []string `json:"notes,omitempty"`
	JSON      any      `json:"json,omitempty"`
	Router    string   `json:"router,omitempty"`
}

var out = json.NewEncoder(os.Stdout)
var failed bool

func emit(r result) {
	if r.Errors == nil {
		r.Errors = []string{}
	}
	r.OK = len(r.Errors) == 0
	if !r.OK {
		failed = true
	}
	_ = out.Encode(r)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: oracle lint DIR | oracle reconcile [--write-live OUT] DIR | oracle crd-defaults DIR | oracle yaml DIR")
	os.Exit(2)
}

func main() {
	log.SetOutput(io.Discard)
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	writeLive := fs.String("write-live", "", "write every object as the controller left it, one YAML per object, into this folder")
	_ = fs.Parse(os.Args[2:])
	if fs.NArg() != 1 {
		usage()
	}
	dir := fs.Arg(0)
	var err error
	switch os.Args[1] {
	case "lint":
		err = runLint(dir)
	case "reconcile":
		err = runReconcile(dir, *writeLive)
	case "crd-defaults":
		err = runCRDDefaults(dir)
	case "yaml":
		err = runYaml(dir)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}
