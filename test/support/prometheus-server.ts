import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** A series to backfill: metric name, labels, and its value at a time (seconds from now; counters grow; undefined: no sample). */
export interface SeriesSpec {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: (secondsFromNow: number) => number | undefined;
}

/** A counter growing at `perSecond`. */
export function counter(perSecond: number, start = 1000): (t: number) => number {
  return (t) => start + perSecond * (t + 3600);
}

/** A constant gauge. */
export function gauge(value: number): (t: number) => number {
  return () => value;
}

/** A running Prometheus server. */
export interface PrometheusServer {
  readonly url: string;
  stop(): Promise<void>;
}

const STEP = 15;
const FROM = -30 * 60;
/** Samples run into the future so that instant queries at "now" find them however long the tests take. */
const TO = 30 * 60;

/** Whether Debian's prometheus and promtool are installed (CI installs them; the test fails there without). */
export function havePrometheus(): boolean {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Backfills the series into a fresh TSDB with `promtool tsdb create-blocks-from openmetrics`
 * (every 15s from 30 minutes ago to 30 minutes ahead) and starts a real Prometheus on it, on
 * 127.0.0.1 and a free port, scraping nothing.
 */
export async function startPrometheus(series: SeriesSpec[]): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-prometheus-'));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const now = Math.floor(Date.now() / 1000);
    fs.writeFileSync(path.join(dir, 'series.om'), openMetrics(series, now));
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', 'series.om', 'data'], { cwd: dir, stdio: 'pipe' });
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global: {}\n');
    const port = await freePort();
    child = spawn('prometheus', [
      '--config.file=prometheus.yml', '--storage.tsdb.path=data', `--web.listen-address=127.0.0.1:${port}`,
    ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, child, () => log);
    return { url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function openMetrics(series: SeriesSpec[], now: number): string {
  const byName = new Map<string, SeriesSpec[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, all] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of all) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
      for (let t = FROM; t <= TO; t += STEP) {
        const value = s.value(t);
        if (value !== undefined) lines.push(`${name}{${labels}} ${value} ${now + t}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready after 15s: ${log()}`);
}
