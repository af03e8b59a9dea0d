import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/*
 * The upstream code as judge: the Go module in test/oracles (the Argo Rollouts controller's lint,
 * validation and traffic reconcilers, v1.9.1) and sigs.k8s.io/kubectl-validate (the API server's
 * schema and CEL validation). Binaries live in test/oracles/bin (gitignored, or $ORACLE_BIN_DIR).
 */

const ROOT = path.join(__dirname, '..', '..');
const MODULE_DIR = path.join(ROOT, 'test', 'oracles');
export const BIN_DIR = process.env.ORACLE_BIN_DIR ?? path.join(MODULE_DIR, 'bin');

/** One line of the oracle's output. */
export interface OracleResult {
  readonly check: string;
  readonly app?: string;
  readonly file?: string;
  readonly index?: number;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly ok: boolean;
  readonly errors: string[];
  readonly notes?: string[];
  readonly json?: any;
  readonly router?: string;
}

/** The kubectl-validate verdict on one document. */
export interface ApiServerResult {
  readonly file: string;
  readonly index: number;
  readonly ok: boolean;
  readonly message?: string;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Skips (locally) or fails (CI=true or ORACLE_REQUIRED=1, as .ci/run sets) when a tool is missing. */
function missing(what: string): undefined {
  if (process.env.CI === 'true' || process.env.ORACLE_REQUIRED === '1') throw new Error(`${what} is required in CI (see .ci/run)`);
  return undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.go') || f === 'go.mod' || f === 'go.sum') newest = Math.max(newest, fs.statSync(path.join(dir, f)).mtimeMs);
  }
  return newest;
}

let oracleBin: string | undefined | null = null;

/**
 * The oracle binary, rebuilt from source when a .go file, go.mod or go.sum is newer than it.
 * Undefined (locally) when Go is not installed.
 */
export function oracleBinary(): string | undefined {
  if (oracleBin !== null) return oracleBin;
  const bin = path.join(BIN_DIR, 'oracle');
  const stale = !fs.existsSync(bin) || fs.statSync(bin).mtimeMs < newestMtime(MODULE_DIR);
  if (stale) {
    const go = which('go');
    if (!go) return (oracleBin = missing('Go (to build test/oracles)'));
    fs.mkdirSync(BIN_DIR, { recursive: true });
    execFileSync(go, ['build', '-o', bin, '.'], { cwd: MODULE_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return (oracleBin = bin);
}

/** kubectl-validate from $ORACLE_BIN_DIR, $GOPATH/bin or the PATH. */
export function kubectlValidateBinary(): string | undefined {
  const candidates = [path.join(BIN_DIR, 'kubectl-validate'), path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'bin', 'kubectl-validate')];
  const found = candidates.find((c) => fs.existsSync(c)) ?? which('kubectl-validate');
  return found ?? missing('kubectl-validate (go install sigs.k8s.io/kubectl-validate@v0.0.4)');
}

/** The folder of the pinned CRDs: $ORACLE_CRDS, else ../shared/crds beside the clone. */
export function crdRoot(): string {
  const base = process.env.ORACLE_CRDS ?? path.join(ROOT, '..', 'shared', 'crds');
  return fs.existsSync(base) ? base : '/work/shared/crds';
}

/** The pinned CRDs, one folder per project. */
export function crdDirs(): string[] {
  const dir = crdRoot();
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name)).sort();
}

/** Runs `oracle <command> [args] DIR` and parses its JSON lines (exit 1 only means some result is not ok). */
export function runOracle(command: 'lint' | 'reconcile' | 'yaml' | 'crd-defaults', dir: string, args: string[] = []): OracleResult[] {
  const bin = oracleBinary();
  if (!bin) throw new Error('no oracle binary');
  const env = { ...process.env, ORACLE_CRDS: crdRoot() };
  const r = spawnSync(bin, [command, ...args, dir], { encoding: 'utf8', maxBuffer: 2 ** 30, env });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oracle ${command} failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/**
 * kubectl-validate with Kubernetes 1.27's built-in schemas and the pinned CRDs (structural schemas
 * and CEL rules), offline. One result per document.
 */
export function runKubectlValidate(dir: string): ApiServerResult[] {
  const bin = kubectlValidateBinary();
  if (!bin) throw new Error('no kubectl-validate binary');
  const r = spawnSync(bin, [dir, '--version', '1.27', '--local-crds', crdDirs().join(','), '-o', 'json'], { encoding: 'utf8', maxBuffer: 2 ** 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`kubectl-validate failed (${r.status}): ${r.stderr}`);
  return parseKubectlValidate(r.stdout);
}

function parseKubectlValidate(stdout: string): ApiServerResult[] {
  const byFile: { [file: string]: any } = JSON.parse(stdout);
  const out: ApiServerResult[] = [];
  for (const [file, docs] of Object.entries(byFile)) {
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d: any, index: number) => out.push({ file, index, ok: d.status === 'Success', message: d.message }));
  }
  return out;
}

/** Runs a command without blocking (so several oracles share the cores); resolves with its exit status and output. */
function run(bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** `runOracle`, without blocking. */
export async function runOracleAsync(command: 'lint' | 'reconcile' | 'yaml' | 'crd-defaults', dir: string, args: string[] = []): Promise<OracleResult[]> {
  const bin = oracleBinary();
  if (!bin) throw new Error('no oracle binary');
  const r = await run(bin, [command, ...args, dir], { ...process.env, ORACLE_CRDS: crdRoot() });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oracle ${command} failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** `runKubectlValidate` on one or more files or folders, without blocking. */
export async function runKubectlValidateAsync(paths: string | string[]): Promise<ApiServerResult[]> {
  const bin = kubectlValidateBinary();
  if (!bin) throw new Error('no kubectl-validate binary');
  const r = await run(bin, [...(Array.isArray(paths) ? paths : [paths]), '--version', '1.27', '--local-crds', crdDirs().join(','), '-o', 'json']);
  if (r.status !== 0 && r.status !== 1) throw new Error(`kubectl-validate failed (${r.status}): ${r.stderr}`);
  return parseKubectlValidate(r.stdout);
}

/** Whether the oracles can run here (always true in CI, where a missing tool throws instead). */
export function oraclesAvailable(): boolean {
  return oracleBinary() !== undefined && kubectlValidateBinary() !== undefined;
}

/** A readable list of the failed results. */
export function failures(results: Array<OracleResult | ApiServerResult>): string[] {
  return results.filter((r) => !r.ok).map((r: any) => `${r.check ?? 'kubectl-validate'} ${r.file ?? ''}${r.kind ? ` ${r.kind}/${r.name}` : ''}${r.router ? ` [${r.router}]` : ''}: ${(r.errors ?? [r.message]).join('; ')}`);
}
