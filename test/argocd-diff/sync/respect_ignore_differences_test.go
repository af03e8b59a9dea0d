//go:build cdk8ssync

// Compiled INTO Argo CD v3.5.1's controller package through `go test -overlay` (see build.sh), so
// that it can call the application controller's unexported sync-time normalisation,
// normalizeTargetResources: what a sync with RespectIgnoreDifferences=true applies. Never built
// on its own (build tag cdk8ssync).
//
// Input (file named by CDK8S_SYNC_IN): {"ignoreDifferences": [...], "live": [...], "target": [...]}
// (live[i] and target[i] are the same object; a null live is an object not yet in the cluster).
// Output (file named by CDK8S_SYNC_OUT): the objects the sync would apply, in the same order.
package controller

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/sync"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/argo/diff"
	"github.com/argoproj/argo-cd/v3/util/argo/normalizers"
)

type cdk8sSyncInput struct {
	IgnoreDifferences []v1alpha1.ResourceIgnoreDifferences `json:"ignoreDifferences"`
	Live              []json.RawMessage                    `json:"live"`
	Target            []json.RawMessage                    `json:"target"`
}

func TestCdk8sRespectIgnoreDifferences(t *testing.T) {
	in, out := os.Getenv("CDK8S_SYNC_IN"), os.Getenv("CDK8S_SYNC_OUT")
	if in == "" || out == "" {
		t.Skip("CDK8S_SYNC_IN and CDK8S_SYNC_OUT not set")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var input cdk8sSyncInput
	if err := json.Unmarshal(data, &input); err != nil {
		t.Fatal(err)
	}
	if len(input.Live) != len(input.Target) {
		t.Fatalf("%d live objects for %d targets", len(input.Live), len(input.Target))
	}
	// Decoded as the controller decodes manifests (integers as int64), not with encoding/json's float64.
	objects := func(list []json.RawMessage) []*unstructured.Unstructured {
		res := make([]*unstructured.Unstructured, len(list))
		for i, raw := range list {
			if string(raw) == "null" {
				continue
			}
			res[i] = &unstructured.Unstructured{}
			if err := res[i].UnmarshalJSON(raw); err != nil {
				t.Fatal(err)
			}
		}
		return res
	}
	dc, err := diff.NewDiffConfigBuilder().
		WithDiffSettings(input.IgnoreDifferences, nil, true, normalizers.IgnoreNormalizerOpts{}).
		WithNoCache().
		Build()
	if err != nil {
		t.Fatal(err)
	}
	cr := &comparisonResult{
		reconciliationResult: sync.ReconciliationResult{Live: objects(input.Live), Target: objects(input.Target)},
		diffConfig:           dc,
	}
	targets, err := normalizeTargetResources(cr)
	if err != nil {
		t.Fatal(err)
	}
	result := make([]map[string]any, len(targets))
	for i, o := range targets {
		if o != nil {
			result[i] = o.Object
		}
	}
	encoded, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}
