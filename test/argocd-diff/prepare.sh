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
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then exit 0; fi
rm -rf .gitops-engine
mkdir -p .gitops-engine
cp -r "$src"/. .gitops-engine/
chmod -R u+w .gitops-engine
find .gitops-engine -name '*.go' -o -name go.mod | xargs sed -i 's#github.com/argoproj/gitops-engine#github.com/argoproj/argo-cd/gitops-engine#g'
# That engine still reads the autoscaling/v2beta1 and v2beta2 HPA types (health checks only), which
# k8s.io/api v0.36.1 (Argo CD v3.5.1's pin) no longer has: .k8s-api/ is k8s.io/api v0.36.1 plus
# those two packages from v0.35.0 (type definitions of API versions the server no longer serves).
api=$(GOFLAGS=-mod=mod go mod download -json k8s.io/api@v0.36.1 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
old=$(GOFLAGS=-mod=mod go mod download -json k8s.io/api@v0.35.0 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
rm -rf .k8s-api
cp -r "$api" .k8s-api
chmod -R u+w .k8s-api
cp -r "$old/autoscaling/v2beta1" "$old/autoscaling/v2beta2" .k8s-api/autoscaling/
echo "$version" > "$stamp"
