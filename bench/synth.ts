/**
 * Synthesis benchmark: cdk8s `App.synth()` beside `ProgressiveApp.synth()` on the same app of N
 * charts (one per service), both writing YAML to a temporary outdir, in one run.
 *
 *   npx ts-node --project test/tsconfig.json bench/synth.ts          # 100 and 1000 services
 *   npx ts-node --project test/tsconfig.json bench/synth.ts --full   # and 3000 (App.synth takes ~1 min)
 *
 * Outdirs go under $BENCH_OUTDIR, else /dev/shm when it exists (so disk contention from other
 * processes does not dominate both times), else the OS temp dir.
 *
 * Reuse: `runBenchmark(sizes, addCharts)` with another `addCharts` measures other service shapes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, AppProps, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ProgressiveApp } from '../src/synth';

/** Adds `services` charts to an app. */
export type AddCharts = (app: App, services: number) => void;

/** Creates the app under test. */
export type CreateApp = (props: AppProps) => App;

/** One size measured: milliseconds of each synthesis and their ratio. */
export interface BenchmarkRow {
  readonly services: number;
  readonly appSynthMs: number;
  readonly progressiveSynthMs: number;
}

/** One chart per service, each a cdk8s-plus Deployment, its Service and an Ingress to it; charts numbered from `first`. */
export const addServiceCharts = (app: App, services: number, first = 0): void => {
  for (let i = first; i < first + services; i++) {
    const name = `svc-${i.toString().padStart(4, '0')}`;
    const chart = new Chart(app, name, { namespace: 'bench' });
    const deployment = new kplus.Deployment(chart, 'deployment', {
      replicas: 2,
      containers: [{ image: `registry.example.com/${name}:1.0.0`, portNumber: 8080 }],
    });
    const service = deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    new kplus.Ingress(chart, 'ingress', {
      rules: [{ host: `${name}.example.com`, backend: kplus.IngressBackend.fromService(service) }],
    });
  }
};

/** Where the benchmark writes its temporary outdirs. */
export const outdirRoot = process.env.BENCH_OUTDIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());

/** Milliseconds one `synth()` of a freshly built app takes (building the app is not timed). */
export function timeSynth(createApp: CreateApp, addCharts: AddCharts, services: number): number {
  const outdir = fs.mkdtempSync(path.join(outdirRoot, 'bench-synth-'));
  try {
    const app = createApp({ outdir });
    addCharts(app, services);
    const start = performance.now();
    app.synth();
    return performance.now() - start;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Measures both syntheses at each size, after a warm-up. `ProgressiveApp` is timed three times
 * (median); `App.synth()` once, as it takes seconds to a minute.
 */
export function runBenchmark(sizes: number[], addCharts: AddCharts = addServiceCharts): BenchmarkRow[] {
  const cdk8sApp: CreateApp = (props) => new App(props);
  const progressiveApp: CreateApp = (props) => new ProgressiveApp(props);
  for (const createApp of [cdk8sApp, progressiveApp, progressiveApp]) timeSynth(createApp, addCharts, 50);
  return sizes.map((services) => ({
    services,
    appSynthMs: timeSynth(cdk8sApp, addCharts, services),
    progressiveSynthMs: median([1, 2, 3].map(() => timeSynth(progressiveApp, addCharts, services))),
  }));
}

/** The rows as a table: both times, the ratio, and the time per service of each. */
export function formatRows(rows: BenchmarkRow[]): string {
  const lines = ['services | App.synth() ms | ProgressiveApp ms | ratio | App.synth() ms/service | ProgressiveApp ms/service'];
  lines.push('--- | --- | --- | --- | --- | ---');
  for (const r of rows) {
    lines.push([
      r.services,
      r.appSynthMs.toFixed(0),
      r.progressiveSynthMs.toFixed(0),
      `${(r.appSynthMs / r.progressiveSynthMs).toFixed(1)}x`,
      (r.appSynthMs / r.services).toFixed(2),
      (r.progressiveSynthMs / r.services).toFixed(2),
    ].join(' | '));
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  const perService = (r: BenchmarkRow) => r.progressiveSynthMs / r.services;
  lines.push('', `ProgressiveApp time per service at ${last.services} / at ${first.services}: ${(perService(last) / perService(first)).toFixed(2)}`);
  return lines.join('\n');
}

if (require.main === module) {
  const sizes = process.argv.includes('--full') ? [100, 1000, 3000] : [100, 1000];
  console.log(`outdirs under ${outdirRoot}, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
  console.log(formatRows(runBenchmark(sizes)));
}
