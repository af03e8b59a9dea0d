#!/usr/bin/env bash
# The packed tarball in a fresh cdk8s app, laid out as `cdk8s init typescript-app` lays it out:
# copies test/consumer-app to a temporary directory outside the repository, installs the tarball and
# the app's dependencies from the registry, type-checks main.ts with the app's strict tsconfig,
# runs the real `cdk8s synth` and the package's `plan` command, then checks the output with the
# repository's schema checks, and that bad input gets one sentence. Usage: test/package/consumer-app.sh dist/js/cdk8s-argo-rollouts@*.tgz
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tarball="$(realpath "$1")"
work="$(mktemp -d /tmp/consumer-app.XXXXXX)"
cp "$repo"/test/consumer-app/{cdk8s.yaml,tsconfig.json,main.ts,package.json} "$work/"
cd "$work"
npm install --no-audit --no-fund --loglevel=error "$tarball"
npx tsc --noEmit -p .
npx cdk8s synth --no-check-upgrade
npx cdk8s-argo-rollouts plan dist/ --format json > plan.json
# preflight parses the synthesised queries with the vendored PromQL grammar before it asks Prometheus:
# against an address nothing listens on it must end with its "cannot reach" exit status 3, not a crash.
preflight_status=0
npx cdk8s-argo-rollouts preflight dist/ --prometheus http://127.0.0.1:59999 --timeout 2 > preflight.txt 2>&1 || preflight_status=$?
if [ "$preflight_status" -ne 3 ]; then cat preflight.txt >&2; echo "preflight in the installed package exited $preflight_status, expected 3" >&2; exit 1; fi
# Bad input, with the real packages: a cdk8s-plus-33 object, then a missing cdk8s-plus-27.
cp "$repo/test/package/bad-input.js" .
node bad-input.js mixed > mixed.txt
# npm 7+ installs peers itself; without it (--legacy-peer-deps, other clients) the folder is missing.
rm -rf node_modules/cdk8s-plus-27
node bad-input.js load > missing-peer.txt
cd "$repo"
npx ts-node --project test/tsconfig.json test/package/check-consumer-output.ts "$work"
