#!/usr/bin/env bash
# Builds argocd-sync.test: Argo CD v3.5.1's controller package test binary with
# respect_ignore_differences_test.go compiled into it, so that it runs the application controller's
# own sync-time normalisation (normalizeTargetResources, unexported: what a sync with
# RespectIgnoreDifferences=true applies) on our objects (see cases.ts).
#
# Not part of CI: the controller package needs the gitops-engine nested in Argo CD's repository at
# v3.5.1 (`replace ... => ./gitops-engine`), which the Go module proxy does not serve (prepare.sh's
# proxy-served engine is older and lacks what the controller calls). Give a checkout of
# github.com/argoproj/argo-cd at tag v3.5.1 as ARGOCD_SRC. Everything else comes from the module
# proxy; the copies live in .work/ (git-ignored) and are never committed.
set -euo pipefail
cd "$(dirname "$0")"
: "${ARGOCD_SRC:?set ARGOCD_SRC to a checkout of github.com/argoproj/argo-cd at v3.5.1}"
[ -f "$ARGOCD_SRC/gitops-engine/go.mod" ] || { echo "$ARGOCD_SRC/gitops-engine/go.mod missing" >&2; exit 1; }
(cd .. && ./prepare.sh)
src=$(cd .. && GOFLAGS=-mod=mod go mod download -json github.com/argoproj/argo-cd/v3@v3.5.1 | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
diff -q "$src/controller/sync.go" "$ARGOCD_SRC/controller/sync.go" >/dev/null || { echo "ARGOCD_SRC is not v3.5.1 (controller/sync.go differs from the module's)" >&2; exit 1; }
rm -rf .work
mkdir -p .work/argo-cd
tar -C "$src" --exclude=./ui --exclude=./docs --exclude=./test/e2e -cf - . | tar -C .work/argo-cd -xf -
chmod -R u+w .work/argo-cd
cp respect_ignore_differences_test.go .work/argo-cd/controller/zz_cdk8s_sync_test.go
cp -r "$ARGOCD_SRC/gitops-engine" .work/gitops-engine
cp ../go.mod ../go.sum .work/
here=$(pwd)
sed -i "s#=> ./.k8s-api#=> $(cd .. && pwd)/.k8s-api#; s#^replace github.com/argoproj/argo-cd/gitops-engine => .*#replace github.com/argoproj/argo-cd/gitops-engine => $here/.work/gitops-engine\nreplace github.com/argoproj/argo-cd/v3 => $here/.work/argo-cd#" .work/go.mod
printf 'package main\n\nimport _ "github.com/argoproj/argo-cd/v3/controller"\n\nfunc main() {}\n' > .work/main.go
cd .work && GOFLAGS=-mod=mod go test -c -tags cdk8ssync -o ../argocd-sync.test github.com/argoproj/argo-cd/v3/controller
