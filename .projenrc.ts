import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-argo-rollouts',
  description: 'Typed cdk8s constructs for Argo Rollouts progressive delivery: rollouts, services, traffic splits, analysis, alerts and dashboards, validated at synth time.',
  author: 'cdk8s-argo-rollouts maintainers',
  authorAddress: 'maintainers@users.noreply.b-seed-c7914f6c.example',
  repositoryUrl: 'https://github.com/cdk8s-argo-rollouts/cdk8s-argo-rollouts.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.4.2',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // The PromQL grammar, the used part of the Grafana SDK and yaml are bundled into lib/src/vendor by
  // the compile task (see below), so they are devDependencies.
  devDeps: ['yaml@^2.8.0', '@prometheus-io/lezer-promql@^0.315.0', '@grafana/grafana-foundation-sdk@0.0.21', 'esbuild@^0.25.0', 'jest-util@^29', 'fast-check@^4.11.0', '@xmldom/xmldom@^0.9.8', 'cdk8s-cli@2.207.60', 'ts-json-schema-generator@^2.9.0', 'ajv@^8.17.1', 'ajv-formats@^3.0.1', 'ts-node'],
  keywords: ['cdk8s', 'argo-rollouts', 'progressive-delivery', 'canary', 'blue-green', 'kubernetes'],
  // Python: `pip install cdk8s-argo-rollouts`, `import cdk8s_argo_rollouts` (CI builds and tests the wheel).
  publishToPypi: { distName: 'cdk8s-argo-rollouts', module: 'cdk8s_argo_rollouts' },
  github: false,
  release: false,
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  tsconfig: {
    compilerOptions: { rootDir: '.' },
    // imports/ (generated bindings) is for tests only: src uses its own API_KINDS, so it is not compiled or shipped.
    include: ['src/**/*.ts'],
  },
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript 4 need unrs-resolver, whose non-linux-x64 optional
    // binaries the registry here does not serve, so `npm ci` would refuse the lock file.
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      // jest's default on these 2-core machines is one worker (cores - 1): the suite waits on promtool, Go and Prometheus processes.
      maxWorkers: 2,
      coverageReporters: ['text-summary'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench', 'projenrc'],
    // test/consumer-app is a user's app (its own package.json, the published package's import path).
    ignorePatterns: ['imports/**', 'test/consumer-app/**'],
  },
  gitignore: ['dist/', '/bench-results/', '__pycache__/', '.pytest_cache/'],
  // Ship only what runs: lib (+ .jsii), the pinned controller manifests in imports/argo-rollouts, README and docs/.
  npmIgnoreOptions: {
    ignorePatterns: ['/examples/', '/scripts/', '/dist/', '/bench/', '/.ci/', '/imports/*.ts', '/imports/schemas/', '/API.md', '/CONTRIBUTING.md', '/bench-results/'],
  },
});

// projen's eslint asks for any version; 4.x needs unrs-resolver (see jestVersion above).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.8.0');

// esbuild replaces jsii's output for the vendor entry points with self-contained bundles (the Grafana SDK
// modules the dashboard uses; the PromQL grammar with its @lezer peers; the part of yaml used), so nothing they
// need is installed.
for (const entry of ['grafana-sdk', 'promql-parser', 'yaml']) {
  project.compileTask.exec(`esbuild src/vendor/${entry}.ts --bundle --platform=node --format=cjs --target=node18 --log-level=warning --minify --legal-comments=eof --outfile=lib/src/vendor/${entry}.js`);
}
// Then the entry point with every module it loads becomes one file: `require()` resolves and
// compiles one module instead of ~150 (about a third of the time). The peers stay external, and so do
// the vendor bundles, loaded on first use by src/vendor-load.ts (the same relative path
// from lib/src).
project.compileTask.exec([
  'esbuild lib/src/index.js --bundle --platform=node --format=cjs --target=node18 --log-level=warning',
  '--external:cdk8s --external:constructs --external:cdk8s-plus-27',
  '--external:./vendor/grafana-sdk --external:./vendor/promql-parser --external:./vendor/yaml',
  '--minify --keep-names --legal-comments=eof --allow-overwrite --outfile=lib/src/index.js',
].join(' '));

// src must not load what is not shipped: the generated bindings (use API_KINDS), or the vendored packages
// except through src/vendor, whose entry points are the only files that import them (devDependencies).
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      paths: [{ name: 'yaml', message: 'bundled: import it through src/vendor.' }],
      patterns: [
        { group: ['**/imports/*'], message: 'imports/ is not shipped: use API_KINDS (src/synth/api-kinds.ts).' },
        { group: ['@grafana/*', '@prometheus-io/*', '@lezer/*'], message: 'bundled: import it through src/vendor.' },
      ],
    }],
  },
});
project.eslint?.addOverride({
  files: ['src/vendor/*.ts'],
  rules: {
    'no-restricted-imports': 'off',
    'import/no-extraneous-dependencies': ['error', { devDependencies: true }],
  },
});
// Their declarations name the SDK's modules and yaml's, which consumers do not have; nothing public refers to them.
project.npmignore?.exclude('/lib/src/vendor/grafana-sdk.d.ts');
project.npmignore?.exclude('/lib/src/vendor/yaml.d.ts');

// Generated CRD bindings and JSON schemas (imports/) come from ../shared/crds; they are committed,
// so a clone without ../shared still builds and tests.
project.addTask('import', {
  description: 'Regenerate imports/ (cdk8s bindings and JSON schemas) from the pinned CRDs in ../shared/crds',
  exec: 'ts-node --project test/tsconfig.json scripts/import-crds.ts',
});

// Synthesise every example app into dist/<example>/.
project.addTask('synth:examples', {
  description: 'Synthesise every app in examples/ into dist/',
  exec: 'ts-node --project test/tsconfig.json scripts/synth-examples.ts',
});

// `npx cdk8s-argo-rollouts plan dist/`: rollout plans as text, markdown, JSON or SVG.
project.addBins({ 'cdk8s-argo-rollouts': 'lib/src/plan/cli.js' });

// Benchmarks are scripts that print ratios measured in one run, never timed tests.
project.addTask('bench', {
  description: 'Benchmark synthesis at 100 and 1000 services (pass --full for 3000)',
  exec: 'ts-node --project test/tsconfig.json bench/synth.ts',
  receiveArgs: true,
});

project.addTask('bench:package', {
  description: 'Installed size and require() time of the packed tarball (dist/js) beside cdk8s-plus-27, in a fresh install',
  exec: 'ts-node --project test/tsconfig.json bench/package.ts',
});

project.addTask('bench:services', {
  description: 'Benchmark N full progressive services vs plain cdk8s-plus vs raw yaml (pass --full for 3000)',
  exec: 'ts-node --project test/tsconfig.json bench/services.ts',
  receiveArgs: true,
});

project.addTask('bench:fleet', {
  description: 'Benchmark the seed 004 fleet (N services x 3 environments, one ApplicationSet) vs plain cdk8s-plus (pass --full for 3000)',
  exec: 'ts-node --project test/tsconfig.json bench/fleet.ts',
  receiveArgs: true,
});

// jsii compiles src/ with rootDir "." (see tsconfig), so the entry point is lib/src.
project.package.addField('types', 'lib/src/index.d.ts');

project.synth();
