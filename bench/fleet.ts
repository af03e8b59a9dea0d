/**
 * Seed 004 fleet benchmark (issue 17), in one run: N services × 3 environments through
 * `ProgressiveApp` (examples/seed-004-fleet: one file per service and environment, one
 * ApplicationSet) beside the same 3N charts as plain cdk8s-plus (Deployment, Service, Ingress:
 * `addServiceCharts`), written in cdk8s's default layout (one file per chart) in two ways:
 *
 * - `App per chart`: each chart in its own cdk8s `App`, all synthesised into one outdir. It writes
 *   exactly the files one `App.synth()` writes (the run checks the bytes at the smallest N) in
 *   linear time; it is what a cdk8s-plus user with thousands of charts does, as long as no chart
 *   depends on another.
 * - `one App.synth()`: all charts in one `App`. cdk8s renders each chart with `chart.toJson()`,
 *   which validates and resolves the dependencies of the whole app again, so its time grows with
 *   the square of the chart count (about a minute at 3000 charts).
 *
 *   npx projen bench:fleet              # N = 100 (3 runs each) and 1000 (fleet and App per chart 3 runs, one App.synth() 1 run)
 *   npx projen bench:fleet -- --full    # and 3000 (1 run each; one App.synth() takes several minutes there)
 *
 * Every measurement runs in a fresh child process and includes building the app (the constructs)
 * and synthesising it to YAML under $BENCH_OUTDIR or /dev/shm. Times are medians; memory is the
 * child's peak resident set size, and how much of it came after the modules were loaded.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { addServiceCharts, outdirRoot } from './synth';
import { buildApp } from '../examples/seed-004-fleet/main';

type Kind = 'fleet' | 'perChart' | 'oneApp';
interface Measurement {
  readonly kind: Kind;
  readonly services: number;
  readonly files: number;
  readonly ms: number;
  /** Peak RSS of the process, MiB. */
  readonly peakMiB: number;
  /** RSS before the app was built (node, ts-node, modules), MiB. */
  readonly startMiB: number;
  /** sha256 over the written files' names and bytes. */
  readonly digest: string;
}

function digest(dir: string): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(dir).sort()) hash.update(file).update('\0').update(fs.readFileSync(path.join(dir, file))).update('\0');
  return hash.digest('hex');
}

function measure(kind: Kind, services: number): Measurement {
  const outdir = fs.mkdtempSync(path.join(outdirRoot, 'bench-fleet-'));
  const startMiB = process.memoryUsage().rss / 2 ** 20;
  try {
    const start = performance.now();
    if (kind === 'fleet') {
      buildApp(outdir, services).synth();
    } else if (kind === 'oneApp') {
      const app = new App({ outdir });
      addServiceCharts(app, services * 3);
      app.synth();
    } else {
      // addServiceCharts numbers its charts from 0: build one chart per App with the same names.
      for (let i = 0; i < services * 3; i++) {
        const app = new App({ outdir });
        addServiceCharts(app, 1, i);
        app.synth();
      }
    }
    const ms = performance.now() - start;
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    return { kind, services, files: fs.readdirSync(outdir).length, ms, peakMiB, startMiB, digest: digest(outdir) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function inChild(kind: Kind, services: number): Measurement {
  // The parent has type-checked everything already: the children only transpile.
  const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', kind, String(services)], { encoding: 'utf8', env, maxBuffer: 2 ** 26 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(measure(args[1] as Kind, Number(args[2]))) + '\n');
    return;
  }
  const sizes = args.includes('--full') ? [100, 1000, 3000] : [100, 1000];
  console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, load average ${os.loadavg()[0].toFixed(1)}; N services × 3 environments = 3N charts`);
  console.log('fleet: examples/seed-004-fleet through ProgressiveApp (3N+1 files, one ApplicationSet; each chart a ProgressiveService with');
  console.log('  Rollout, 2 Services, HPA, HTTPRoute); plain: 3N cdk8s-plus charts (Deployment, Service, Ingress), one file each,');
  console.log('  as one App per chart (linear) and as one App.synth() (cdk8s\'s own, quadratic).');
  console.log('Each cell: median ms of building + synthesising (runs) · peak RSS MiB of the process (+ its growth over the RSS before building; 0 when\n  loading the modules peaked higher). Ratios: fleet time / plain time.');
  console.log('');
  console.log('| services | fleet | plain, App per chart | plain, one App.synth() | fleet / App per chart | fleet / one App.synth() | fleet ms per service |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const rows: Array<{ services: number; fleet: Measurement }> = [];
  for (const services of sizes) {
    const pick = (kind: Kind, runs: number) => {
      const all = Array.from({ length: runs }, () => inChild(kind, services)).sort((a, b) => a.ms - b.ms);
      return { ...all[Math.floor(all.length / 2)], runs };
    };
    const reps = services >= 3000 ? 1 : 3;
    const fleet = pick('fleet', reps);
    const perChart = pick('perChart', reps);
    const oneApp = pick('oneApp', services >= 1000 ? 1 : 3);
    if (services === sizes[0] && perChart.digest !== oneApp.digest) {
      throw new Error(`App per chart wrote other files than one App.synth() at ${services} services`);
    }
    const cell = (m: Measurement & { runs: number }) =>
      `${m.ms.toFixed(0)} (${m.runs}) · ${m.peakMiB.toFixed(0)} (+${(m.peakMiB - m.startMiB).toFixed(0)})`;
    console.log(`| ${[
      services,
      cell(fleet),
      cell(perChart),
      cell(oneApp),
      (fleet.ms / perChart.ms).toFixed(2),
      (fleet.ms / oneApp.ms).toFixed(2),
      (fleet.ms / services).toFixed(2),
    ].join(' | ')} |`);
    rows.push({ services, fleet });
  }
  console.log('');
  console.log(`App per chart and one App.synth() wrote the same ${sizes[0] * 3} files, byte for byte, at ${sizes[0]} services.`);
  const first = rows[0];
  for (const r of rows.slice(1)) {
    console.log(`fleet time per service at ${r.services} / at ${first.services}: ${((r.fleet.ms / r.services) / (first.fleet.ms / first.services)).toFixed(2)} (1.00 = linear)`);
  }
}

main();
