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
  bundledDeps: ['yaml@^2.8.0', '@prometheus-io/lezer-promql@^0.315.0', '@grafana/grafana-foundation-sdk@0.0.21'],
  devDeps: ['jest-util@^29', 'fast-check@^4.11.0', '@xmldom/xmldom@^0.9.8', 'cdk8s-cli@2.207.60', 'ts-json-schema-generator@^2.9.0', 'ajv@^8.17.1', 'ajv-formats@^3.0.1', 'ts-node'],
  keywords: ['cdk8s', 'argo-rollouts', 'progressive-delivery', 'canary', 'blue-green', 'kubernetes'],
  github: false,
  release: false,
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  tsconfig: {
    compilerOptions: { rootDir: '.' },
    include: ['src/**/*.ts', 'imports/**/*.ts'],
  },
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript 4 need unrs-resolver, whose non-linux-x64 optional
    // binaries the registry here does not serve, so `npm ci` would refuse the lock file.
    jestVersion: '^29',
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      coverageReporters: ['text-summary'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench', 'projenrc'],
    ignorePatterns: ['imports/**'],
  },
  gitignore: ['dist/', '/bench-results/'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/scripts/', '/dist/', '/bench/'] },
});

// projen's eslint asks for any version; 4.x needs unrs-resolver (see jestVersion above).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@~3.8.0');

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

// jsii compiles src/ and imports/ with rootDir "." (see tsconfig), so the entry point is lib/src.
project.package.addField('types', 'lib/src/index.d.ts');

project.synth();
