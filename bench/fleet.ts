/**
 * Seed 004 fleet benchmark (issue 17): N services × 3 environments through `ProgressiveApp` into one
 * file per service and environment with one ApplicationSet (examples/seed-004-fleet), beside the
 * same 3N charts as plain cdk8s-plus (Deployment, Service, Ingress: `addServiceCharts`), in one run.
 *
 *   npx projen bench:fleet              # N = 100, 1000
 *   npx projen bench:fleet -- --full    # and 3000
 *
 * Each measurement runs in a fresh child process, so its peak heap is its own; times are medians of three.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdk8s';
import { addServiceCharts, outdirRoot } from './synth';
import { buildApp } from '../examples/seed-004-fleet/main';

type Kind = 'fleet' | 'plain';
interface Measurement { readonly kind: Kind; readonly services: number; readonly files: number; readonly ms: number; readonly peakHeapMiB: number }

function measure(kind: Kind, services: number): Measurement {
  const outdir = fs.mkdtempSync(path.join(outdirRoot, 'bench-fleet-'));
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 5);
  try {
    const start = performance.now();
    if (kind === 'fleet') {
      buildApp(outdir, services).synth();
    } else {
      const app = new App({ outdir });
      addServiceCharts(app, services * 3);
      app.synth();
    }
    const ms = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { kind, services, files: fs.readdirSync(outdir).length, ms, peakHeapMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function inChild(kind: Kind, services: number): Measurement {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', kind, String(services)], { encoding: 'utf8', env: process.env });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    process.stdout.write(JSON.stringify(measure(args[1] as Kind, Number(args[2]))) + '\n');
    return;
  }
  const sizes = args.includes('--full') ? [100, 1000, 3000] : [100, 1000];
  console.log(`node ${process.version}, ${os.cpus().length} cores; services × 3 environments`);
  console.log('services | fleet ms (files, peak heap) | plain cdk8s-plus ms (files, peak heap) | fleet/plain | fleet ms per service');
  for (const services of sizes) {
    const pick = (kind: Kind) => {
      const runs = Array.from({ length: services >= 3000 ? 1 : 3 }, () => inChild(kind, services)).sort((a, b) => a.ms - b.ms);
      return runs[Math.floor(runs.length / 2)];
    };
    const fleet = pick('fleet');
    const plain = pick('plain');
    console.log([
      services,
      `${fleet.ms.toFixed(0)} (${fleet.files}, ${fleet.peakHeapMiB.toFixed(0)} MiB)`,
      `${plain.ms.toFixed(0)} (${plain.files}, ${plain.peakHeapMiB.toFixed(0)} MiB)`,
      (fleet.ms / plain.ms).toFixed(2),
      (fleet.ms / services).toFixed(2),
    ].join(' | '));
  }
}

main();
