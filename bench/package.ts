/**
 * Package benchmark, in one run: installs the packed tarball (dist/js, from `npx projen package:js`)
 * beside cdk8s, cdk8s-plus-27 and constructs from the registry into a fresh temporary project, then
 * prints the installed size and file count of cdk8s-argo-rollouts and of cdk8s-plus-27, and the time
 * `require()` takes in fresh node processes (median of 21): cdk8s-plus-27's own load time and what
 * cdk8s-argo-rollouts adds on top of it.
 *
 *   npx projen package:js && npx projen bench:package
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const jsDist = path.join(root, 'dist', 'js');
const tarball = fs.existsSync(jsDist) ? fs.readdirSync(jsDist).find((f) => f.endsWith('.tgz')) : undefined;
if (!tarball) {
  console.error('no dist/js/*.tgz: run `npx projen compile && npx projen package:js` first');
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-package-'));
fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'bench-package', private: true }));
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'cdk8s@^2.70.106', 'cdk8s-plus-27@^2.9.5', 'constructs@^10.4.2', path.join(jsDist, tarball)], { cwd: work, stdio: 'inherit' });

/** Bytes (sum of file sizes) and number of files under `dir`. */
function size(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = size(full);
      bytes += inner.bytes;
      files += inner.files;
    } else {
      bytes += fs.statSync(full).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/** Milliseconds of each step, in a fresh node process: cdk8s + constructs, then cdk8s-plus-27, then ours. */
function loadTimes(): { plus27: number; ours: number } {
  const script = `
    const t = () => Number(process.hrtime.bigint()) / 1e6;
    const t0 = t(); require('constructs'); require('cdk8s');
    const t1 = t(); require('cdk8s-plus-27');
    const t2 = t(); require('cdk8s-argo-rollouts');
    const t3 = t(); console.log(JSON.stringify({ plus27: t2 - t1, ours: t3 - t2, base: t1 - t0 }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8' }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = Array.from({ length: 21 }, loadTimes);
const plus27Ms = median(runs.map((r) => r.plus27));
const oursMs = median(runs.map((r) => r.ours));
const ours = size(path.join(work, 'node_modules', 'cdk8s-argo-rollouts'));
const plus27 = size(path.join(work, 'node_modules', 'cdk8s-plus-27'));
const mb = (b: number) => (b / 1e6).toFixed(1);

console.log(`node ${process.version}, fresh install in ${work}`);
console.log('| package | installed size | files | require() |');
console.log('| --- | --- | --- | --- |');
console.log(`| cdk8s-plus-27 | ${mb(plus27.bytes)} MB | ${plus27.files} | ${plus27Ms.toFixed(0)} ms |`);
console.log(`| cdk8s-argo-rollouts | ${mb(ours.bytes)} MB | ${ours.files} | +${oursMs.toFixed(0)} ms on top of cdk8s-plus-27 |`);
// The ratio within each process is steadier than the times on a shared machine.
const ratios = runs.map((r) => r.ours / r.plus27).sort((a, b) => a - b);
const at = (q: number) => ratios[Math.round(q * (ratios.length - 1))].toFixed(2);
console.log(`size ratio ${(ours.bytes / plus27.bytes).toFixed(2)} (goal <= 2), added require() / cdk8s-plus-27's ${at(0.5)} (median per process; goal <= 0.5;`
  + ` quartiles ${at(0.25)}–${at(0.75)}, range ${at(0)}–${at(1)} over ${ratios.length} processes; load average ${os.loadavg()[0].toFixed(1)})`);
fs.rmSync(work, { recursive: true, force: true });
