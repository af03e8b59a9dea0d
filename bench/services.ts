/**
 * Scale benchmark (issue 7): N full progressive services against the same N services as plain
 * cdk8s-plus, and against serialising the final objects with `yaml` alone, in one run.
 *
 *   npx projen bench:services            # N = 100, 1000
 *   npx projen bench:services -- --full  # and 3000
 *
 * A full service is one chart with a CanaryRollout (+ stable and canary Services, HPA), an
 * NginxTrafficSplit (Ingress), a PrometheusAnalysis (AnalysisTemplate), RolloutAlerts
 * (PrometheusRule) and a RolloutDashboard (ConfigMap). The plain one is a cdk8s-plus Deployment,
 * Service and Ingress (`addServiceCharts` of bench/synth.ts). Each measurement runs in a fresh
 * child process so peak memory is its own (the heap before the app, modules and ts-node, is shown
 * beside it). Ratios are per emitted object and per KiB of YAML written; times are medians of three
 * runs (one at 3000).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Chart, Duration } from 'cdk8s';
import * as YAML from 'yaml';
import { addServiceCharts, outdirRoot } from './synth';
import {
  AnalysisCheck, CanaryRollout, CanarySteps, NginxTrafficSplit, ProgressiveApp, PrometheusAnalysis,
  RolloutAlerts, RolloutDashboard, RolloutSelection,
} from '../src';

type Kind = 'ours' | 'plain' | 'raw';

/** One chart per service with everything a progressive release needs. */
function addFullServices(app: App, services: number) {
  for (let i = 0; i < services; i++) {
    const name = `svc-${i.toString().padStart(4, '0')}`;
    const chart = new Chart(app, name, { namespace: 'bench' });
    const traffic = new NginxTrafficSplit(chart, 'traffic', { host: `${name}.example.com` });
    const analysis = new PrometheusAnalysis(chart, 'analysis', {
      metadata: { name: `${name}-analysis` },
      address: 'http://prometheus.monitoring:9090',
      checks: [AnalysisCheck.successRate({ atLeast: 0.99 }), AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) })],
    });
    const rollout = new CanaryRollout(chart, 'rollout', {
      metadata: { name },
      containers: [{ image: `registry.example.com/${name}:1.0.0`, portNumber: 8080 }],
      autoscaling: { minReplicas: 2, maxReplicas: 10 },
      trafficSplit: traffic,
      backgroundAnalysis: { templates: [analysis] },
      steps: CanarySteps.progressive(),
    });
    new RolloutAlerts(chart, 'alerts', { rollouts: RolloutSelection.one(rollout) });
    new RolloutDashboard(chart, 'dashboard', { rollout });
  }
}

interface Measurement {
  readonly kind: Kind;
  readonly services: number;
  readonly objects: number;
  /** Bytes of YAML written. */
  readonly bytes: number;
  readonly ms: number;
  readonly peakHeapMiB: number;
  /** Heap in use before the app was built (modules, ts-node's compiler). */
  readonly baseHeapMiB: number;
}

/** Builds and synthesises one app (construction included in the time), returning objects written. */
function measure(kind: Kind, services: number): Measurement {
  const outdir = fs.mkdtempSync(path.join(outdirRoot, `bench-${kind}-`));
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = () => { peak = Math.max(peak, process.memoryUsage().heapUsed); };
  const timer = setInterval(sample, 5);
  try {
    let objects = 0;
    const start = performance.now();
    if (kind === 'raw') {
      // The final objects of the full services (synthesised and read back, untimed), serialised
      // with `yaml` alone. (`chart.toJson()` would re-validate the whole app per chart.)
      const app = new ProgressiveApp({ outdir });
      addFullServices(app, services);
      app.synth();
      const documents = fs.readdirSync(outdir).map((file) =>
        YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, file), 'utf8')).map((d) => d.toJSON()));
      const begin = performance.now();
      let bytes = 0;
      for (const [i, docs] of documents.entries()) {
        const yaml = docs.map((d: any) => YAML.stringify(d)).join('---\n');
        fs.writeFileSync(path.join(outdir, `raw-${i}.yaml`), yaml);
        objects += docs.length;
        bytes += Buffer.byteLength(yaml);
      }
      sample();
      return { kind, services, objects, bytes, ms: performance.now() - begin, peakHeapMiB: peak / 2 ** 20, baseHeapMiB: base / 2 ** 20 };
    }
    const app = new ProgressiveApp({ outdir });
    (kind === 'ours' ? addFullServices : addServiceCharts)(app, services);
    app.synth();
    const ms = performance.now() - start;
    sample();
    let bytes = 0;
    for (const file of fs.readdirSync(outdir)) {
      const yaml = fs.readFileSync(path.join(outdir, file), 'utf8');
      objects += YAML.parseAllDocuments(yaml).length;
      bytes += Buffer.byteLength(yaml);
    }
    return { kind, services, objects, bytes, ms, peakHeapMiB: peak / 2 ** 20, baseHeapMiB: base / 2 ** 20 };
  } finally {
    clearInterval(timer);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs one measurement in a fresh process (own heap, own peak). */
function inChild(kind: Kind, services: number): Measurement {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', kind, String(services)], {
    encoding: 'utf8', maxBuffer: 2 ** 20, env: process.env,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const m = measure(args[1] as Kind, Number(args[2]));
    process.stdout.write(JSON.stringify(m) + '\n');
    return;
  }
  const sizes = args.includes('--full') ? [100, 1000, 3000] : [100, 1000];
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; synthesis with ProgressiveApp`);
  console.log('services | ours ms (objects, ms/object, peak heap, of which before the app) | plain cdk8s-plus ms (objects, ms/object) | raw yaml ms | ours/plain per object | ours/plain per KiB written | ours/raw');
  const rows: Array<{ services: number; ours: Measurement; plain: Measurement; raw: Measurement }> = [];
  for (const services of sizes) {
    const runs = services >= 3000 ? 1 : 3;
    const pick = (kind: Kind) => {
      const ms = Array.from({ length: runs }, () => inChild(kind, services));
      const best = median(ms.map((m) => m.ms));
      return { ...ms.find((m) => m.ms === best)!, peakHeapMiB: Math.max(...ms.map((m) => m.peakHeapMiB)) };
    };
    const row = { services, ours: pick('ours'), plain: pick('plain'), raw: pick('raw') };
    rows.push(row);
    const perObject = (m: Measurement) => m.ms / m.objects;
    console.log([
      services,
      `${row.ours.ms.toFixed(0)} (${row.ours.objects}, ${perObject(row.ours).toFixed(3)}, ${row.ours.peakHeapMiB.toFixed(0)} MiB, ${row.ours.baseHeapMiB.toFixed(0)} MiB)`,
      `${row.plain.ms.toFixed(0)} (${row.plain.objects}, ${perObject(row.plain).toFixed(3)})`,
      row.raw.ms.toFixed(0),
      (perObject(row.ours) / perObject(row.plain)).toFixed(2),
      ((row.ours.ms / row.ours.bytes) / (row.plain.ms / row.plain.bytes)).toFixed(2),
      (row.ours.ms / row.raw.ms).toFixed(1),
    ].join(' | '));
  }
  const first = rows[0];
  for (const row of rows.slice(1)) {
    const growth = (row.ours.ms / row.services) / (first.ours.ms / first.services);
    console.log(`time per service at ${row.services} / at ${first.services}: ${growth.toFixed(2)} (1.00 = linear)`);
  }
}

main();
