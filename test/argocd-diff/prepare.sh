#!/usr/bin/env bash
# Argo CD v3.5.1 builds its diff from the gitops-engine inside its own repository
# (`replace github.com/argoproj/argo-cd/gitops-engine => ./gitops-engine`), a nested module the Go
# module proxy does not serve. Its go.mod pins the engine it was moved from:
# github.com/argoproj/gitops-engine v0.7.1-0.20250908182407-97ad5b59a627, which the proxy does serve.
# This script takes that version from the module cache and renames its module path to the one
# Argo CD imports (what the move itself did), into .gitops-engine/ (git-ignored, never committed).
set -euo pipefail
cd "$(dirname "$0")"
version=v0.7.1-0.20250908182407-97ad5b59a627
src=$(GOFLAGS=-mod=mod go mod download -json "github.com/argoproj/gitops-engine@${version}" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "cannot download github.com/argoproj/gitops-engine@${version}" >&2; exit 1; }
stamp=".gitops-engine/.version"
# Bump the suffix whenever what this script writes changes (an existing .gitops-engine is then rebuilt).
generation="$version+2"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$generation" ]; then exit 0; fi
rm -rf .gitops-engine
mkdir -p .gitops-engine
cp -r "$src"/. .gitops-engine/
chmod -R u+w .gitops-engine
find .gitops-engine -name '*.go' -o -name go.mod | xargs sed -i 's#github.com/argoproj/gitops-engine#github.com/argoproj/argo-cd/gitops-engine#g'
# Argo CD v3.5.1's util/kube (which util/settings, hence the ApplicationSet controller, imports) calls
# ManageServerSideDiffDryRuns as a method of KubectlCmd; the pinned engine has it as a function taking
# the same things. This adapter (ours, not upstream code) makes the call compile; nothing that
# `argocd-diff` runs calls it (no server-side diff: there is no cluster).
cat > .gitops-engine/pkg/utils/kube/argocd_v3_5_1_adapter.go <<'EOF'
package kube

import (
	"k8s.io/client-go/rest"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/diff"
)

// ManageServerSideDiffDryRuns in the form Argo CD v3.5.1's util/kube calls it (see prepare.sh).
func (k *KubectlCmd) ManageServerSideDiffDryRuns(config *rest.Config) (diff.KubeApplier, func(), error) {
	return ManageServerSideDiffDryRuns(config, nil, k.Tracer, k.Log, k.OnKubectlRun)
}
EOF
# That engine still reads the autoscaling/v2beta1 and v2beta2 HPA types (health checks only), which
# k8s.io/api v0.36.1 (Argo CD v3.5.1's pin) no longer has: .k8s-api/ is k8s.io/api v0.36.1 plus
# those two packages from v0.35.0 (type definitions of API versions the server no longer serves).
api=$(GOFLAGS=-mod=mod go mod download -json k8s.io/api@v0.36.1 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
old=$(GOFLAGS=-mod=mod go mod download -json k8s.io/api@v0.35.0 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
rm -rf .k8s-api
cp -r "$api" .k8s-api
chmod -R u+w .k8s-api
cp -r "$old/autoscaling/v2beta1" "$old/autoscaling/v2beta2" .k8s-api/autoscaling/
echo "$generation" > "$stamp"
