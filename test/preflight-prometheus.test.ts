import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { seedSeries } from './support/preflight-series';
import { counter, gauge, havePrometheus, PrometheusServer, SeriesSpec, startPrometheus } from './support/prometheus-server';
import { buildApp as seed000 } from '../examples/seed-000-aragora/main';
import { buildApp as seed001 } from '../examples/seed-001-hmco-portal/main';
import { buildApp as seed002 } from '../examples/seed-002-x0tta6bl4/main';
import { buildApp as seed003 } from '../examples/seed-003-blog-platform/main';
import { buildApp as seed004BlueGreen } from '../examples/seed-004-blue-green/main';
import { buildApp as seed004Gateway } from '../examples/seed-004-gateway-api/main';
import { buildApp as seed004Optional } from '../examples/seed-004-optional-rollouts/main';
import { Preflight, PreflightOutcome } from '../src';
import { preflightMain } from '../src/preflight/preflight-cli';

// A real Prometheus (Debian's package): CI installs it, so there a missing binary fails the suite.
const available = havePrometheus();
if (!available && process.env.CI === 'true') throw new Error('prometheus and promtool are required in CI (apt-get install prometheus)');
const describeWithPrometheus = available ? describe : describe.skip;

jest.setTimeout(120_000);

const EXAMPLES: [string, (outdir?: string) => any][] = [
  ['seed-000-aragora', seed000], ['seed-001-hmco-portal', seed001], ['seed-002-x0tta6bl4', seed002],
  ['seed-003-blog-platform', seed003], ['seed-004-blue-green', seed004BlueGreen],
  ['seed-004-gateway-api', seed004Gateway], ['seed-004-optional-rollouts', seed004Optional],
];

/** Series for the planted faults of the hand-written `shop` manifests. */
const SHOP_SERIES: SeriesSpec[] = [
  { name: 'checkout_latency_seconds_count', labels: { namespace: 'shop' }, value: counter(5) },
  { name: 'checkout_latency_seconds_sum', labels: { namespace: 'shop' }, value: counter(0.5) },
  { name: 'istio_requests_total', labels: { reporter: 'destination', destination_service_name: 'checkout', destination_subset: 'stable', response_code: '200' }, value: counter(3) },
  { name: 'istio_requests_total', labels: { reporter: 'destination', destination_service_name: 'cart-active', response_code: '200' }, value: counter(3) },
  { name: 'kube_pod_status_ready', labels: { namespace: 'shop', pod: 'checkout-5d4f8c7b9-abcde', condition: 'true' }, value: gauge(1) },
  // Scraped until 10 minutes ago.
  { name: 'checkout_legacy_requests_total', labels: { namespace: 'shop' }, value: (t: number) => t < -600 ? 1 : undefined },
];

function template(name: string, args: string[], metrics: any[]): any {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name, namespace: 'shop' }, spec: { args: args.map((n) => ({ name: n })), metrics } };
}

function prom(name: string, query: string, successCondition = 'len(result) > 0 && result[0] >= 0', failureCondition?: string): any {
  return { name, successCondition, ...(failureCondition ? { failureCondition } : {}), provider: { prometheus: { address: 'http://prometheus:9090', query } } };
}

/** Hand-written manifests whose queries plant one fault each (and the rewrites the seeds do not use). */
function shopManifests(): any[] {
  return [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'checkout', namespace: 'shop' },
      spec: {
        strategy: {
          canary: {
            canaryService: 'checkout-canary',
            stableService: 'checkout-stable',
            trafficRouting: { istio: { virtualService: { name: 'checkout' }, destinationRule: { name: 'checkout', canarySubsetName: 'canary', stableSubsetName: 'stable' } } },
            analysis: {
              templates: [{ templateName: 'faults' }],
              args: [
                { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } },
                { name: 'token', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
              ],
            },
          },
        },
      },
    },
    template('faults', ['namespace', 'hash', 'token'], [
      prom('summary-not-histogram', 'histogram_quantile(0.9, sum by (le) (rate(checkout_latency_seconds_bucket{namespace="{{args.namespace}}"}[2m])))'),
      prom('no-label', 'sum(rate(nginx_ingress_controller_requests{exported_namespace="aragora",host="api.aragora.ai"}[2m]))'),
      prom('unmatched', 'sum by (pod) (rate(checkout_latency_seconds_count{namespace="{{args.namespace}}"}[2m])) / on(pod) kube_pod_status_ready{namespace="{{args.namespace}}"}'),
      prom('subset', 'sum(rate(istio_requests_total{destination_service_name="checkout",destination_subset="canary"}[2m]))', 'len(result) > 0 && result[0] >= 0.9999', 'len(result) > 0 && result[0] < 1'),
      prom('inconclusive', 'sum(rate(istio_requests_total{destination_service_name="checkout",destination_subset="canary"}[2m]))', 'result[0] > 5', 'result[0] < 1'),
      prom('hash-equal', 'kube_pod_status_ready{pod="checkout-{{args.hash}}-abcde"}'),
      prom('rejected', 'rate(kube_pod_status_ready{namespace="shop"})'),
      prom('secret', 'vector({{args.token}})'),
      prom('matrix', 'kube_pod_status_ready{namespace="{{args.namespace}}"}[1m]'),
      prom('no-name', 'sum({job="nope"})'),
      prom('filtered', 'kube_pod_status_ready{namespace="{{args.namespace}}"} > 5'),
      prom('short-range', 'sum(rate(kube_pod_status_ready{namespace="{{args.namespace}}"}[10s]))'),
      prom('stale', 'sum(rate(checkout_legacy_requests_total{namespace="{{args.namespace}}"}[2m]))'),
    ]),
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        strategy: {
          blueGreen: {
            activeService: 'cart-active',
            previewService: 'cart-preview',
            prePromotionAnalysis: { templates: [{ templateName: 'preview' }], args: [{ name: 'service', value: 'cart-preview' }] },
          },
        },
      },
    },
    template('preview', ['service'], [prom('preview-traffic', 'sum(rate(istio_requests_total{destination_service_name=~"{{args.service}}"}[2m]))', 'result[0] > 1')]),
  ];
}

describeWithPrometheus('preflight against a real Prometheus', () => {
  let server: PrometheusServer;
  let dist: string;

  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-dist-'));
    for (const [name, buildApp] of EXAMPLES) buildApp(path.join(dist, name)).synth();
    server = await startPrometheus([...seedSeries(), ...SHOP_SERIES]);
  });

  afterAll(async () => {
    await server?.stop();
    if (dist) fs.rmSync(dist, { recursive: true, force: true });
  });

  async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await preflightMain(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, env });
    return { code, out, err };
  }

  async function rowsOf(example: string): Promise<{ code: number; results: any[] }> {
    const { code, out } = await cli([path.join(dist, example), '--prometheus', server.url, '--json']);
    return { code, results: JSON.parse(out).results };
  }

  const brief = (r: any) => [r.analysis, r.template, r.metric, r.data, r.outcome];

  test('seed 000 (nginx): every check passes on the stable side, canary!="" and the canary hash rewritten', async () => {
    const { code, results } = await rowsOf('seed-000-aragora');
    expect(code).toBe(0);
    expect(results.map(brief)).toEqual([
      ['background', 'aragora-canary-analysis', 'success-rate', true, 'pass'],
      ['background', 'aragora-canary-analysis', 'latency-p99', true, 'pass'],
      ['background', 'aragora-canary-analysis', 'error-rate', true, 'pass'],
      ['background', 'aragora-canary-analysis', 'pod-restarts', true, 'pass'],
    ]);
    // 9.99 of 10 req/s are not 5xx; p99 interpolated in the 0.1-0.25s bucket.
    expect(results[0].value).toBe('[0.999]');
    expect(Number(results[1].value.slice(1, -1))).toBeCloseTo(0.1 + 0.15 * (0.99 - 0.9) / (0.995 - 0.9), 6);
    expect(results[0].query).toContain('ingress="aragora-stable",canary="",status=~"2.*"'); // seed 000 counts 2xx as success
    expect(results[0].query).not.toContain('canary!=""');
    expect(results[0].rewrites).toEqual(['canary!="" → canary="" (nginx: requests the stable backend served)']);
    expect(results[3].query).toContain('owner_name=~"aragora-[bcdfghjklmnpqrstvwxz2456789]+"');
    expect(results[3].query).toContain('namespace="aragora"');
  });

  test('seed 001 (app metrics): the missing latency metric is named; the shared templates\' success and error rates pass', async () => {
    const { code, results } = await rowsOf('seed-001-hmco-portal');
    expect(code).toBe(1);
    expect(results.map((r) => [r.rollout, r.metric, r.outcome])).toEqual([
      ['data-platform/portal-services', 'success-rate', 'pass'], ['data-platform/portal-services', 'error-rate', 'pass'],
      ['data-platform/portal-services', 'latency', 'no-data'],
      ['data-platform/mlflow', 'success-rate', 'pass'], ['data-platform/mlflow', 'error-rate', 'pass'],
      ['data-platform/mlflow', 'latency', 'no-data'],
    ]);
    expect(results[2].detail).toBe('metric http_request_duration_milliseconds_bucket does not exist in this Prometheus: its exporter or ServiceMonitor is missing, or it has another name (the controller would measure Failed)');
  });

  test('seed 002 (Istio): the canary Service becomes the stable one, web checks are skipped, all pass', async () => {
    const { code, results } = await rowsOf('seed-002-x0tta6bl4');
    expect(code).toBe(0);
    expect(results.map(brief)).toEqual([
      ['step 4', 'smoke-test', 'web-health', false, 'skipped'],
      ['step 4', 'smoke-test', 'web-metrics', false, 'skipped'],
      ['step 4', 'smoke-test', 'web-api-v1-status', false, 'skipped'],
      ['step 7', 'error-rate-analysis', 'error-rate', true, 'pass'],
      ['step 7', 'error-rate-analysis', 'success-rate', true, 'pass'],
      ['step 10', 'latency-analysis', 'latency-p50', true, 'pass'],
      ['step 10', 'latency-analysis', 'latency-p99', true, 'pass'],
      ['step 10', 'latency-analysis', 'canary-vs-stable-p95', true, 'pass'],
      ['step 13', 'full-analysis', 'error-rate', true, 'pass'],
      ['step 13', 'full-analysis', 'latency-p99', true, 'pass'],
      ['step 13', 'full-analysis', 'pod-restarts', true, 'pass'],
      ['step 13', 'full-analysis', 'memory', true, 'pass'],
      ['step 13', 'full-analysis', 'cpu', true, 'pass'],
      ['step 16', 'pre-promotion-analysis', 'readiness', true, 'pass'],
      ['step 16', 'pre-promotion-analysis', 'no-errors-5m', true, 'pass'],
    ]);
    const errorRate = results[3];
    expect(errorRate.query).toContain('destination_service_name="proxy-api-stable"');
    expect(errorRate.query).not.toContain('proxy-api-canary');
    expect(errorRate.rewrites[0]).toMatch(/^destination_service_name="proxy-api-canary" → destination_service_name="proxy-api-stable"/);
    // No 5xx: `or vector(0)` gives 0; memory 40% of the limit; canary-vs-stable is stable vs itself.
    expect([errorRate.value, results[11].value, results[7].value]).toEqual(['[0]', '[0.4]', '[1]']);
    expect(results[0].detail).toBe('web provider: preflight runs Prometheus queries only');
  });

  test('seed 003 (nginx): production\'s Ingress label differs (named, with the values it has); staging\'s memory would fail', async () => {
    const { code, results } = await rowsOf('seed-003-blog-platform');
    expect(code).toBe(1);
    expect(results.map((r) => [r.rollout, r.analysis, r.metric, r.outcome])).toEqual([
      ['production/backend', 'step 2', 'success-rate', 'no-data'],
      ['production/backend', 'step 4', 'success-rate', 'no-data'],
      ['production/backend', 'step 4', 'latency-p95', 'no-data'],
      ['production/backend', 'step 6', 'success-rate', 'no-data'],
      ['production/backend', 'step 6', 'latency-p95', 'no-data'],
      ['production/backend', 'step 6', 'cpu', 'pass'],
      ['production/backend', 'step 6', 'memory', 'pass'],
      ['production/backend', 'step 6', 'readiness', 'pass'],
      ['staging/backend', 'step 2', 'success-rate', 'pass'],
      ['staging/backend', 'step 4', 'success-rate', 'pass'],
      ['staging/backend', 'step 4', 'latency-p95', 'pass'],
      ['staging/backend', 'step 6', 'success-rate', 'pass'],
      ['staging/backend', 'step 6', 'latency-p95', 'pass'],
      ['staging/backend', 'step 6', 'cpu', 'pass'],
      ['staging/backend', 'step 6', 'memory', 'fail'],
      ['staging/backend', 'step 6', 'readiness', 'pass'],
    ]);
    expect(results[0].detail).toBe('no series of nginx_ingress_controller_requests has ingress="backend-ingress" among those with exported_namespace="production"; it has ingress in {backend} (the controller would measure Inconclusive)');
    expect(results[2].detail).toBe('no series of nginx_ingress_controller_request_duration_seconds_bucket has ingress="backend-ingress" among those with exported_namespace="production"; it has ingress in {backend} (the controller would measure Inconclusive)');
    expect(results[14].value).toBe('[0.9]');
    // --allow relaxes per outcome.
    expect((await cli([path.join(dist, 'seed-003-blog-platform'), '--prometheus', server.url, '--allow', 'no-data'])).code).toBe(1);
    expect((await cli([path.join(dist, 'seed-003-blog-platform'), '--prometheus', server.url, '--allow', 'no-data,fail'])).code).toBe(0);
  });

  test('seed 004: the platform\'s template is not in the output (error); rollouts without analysis are listed', async () => {
    const blueGreen = await rowsOf('seed-004-blue-green');
    expect(blueGreen.code).toBe(1);
    expect(blueGreen.results.map((r) => [r.rollout, r.analysis, r.template, r.outcome, r.detail])).toEqual([
      ['prod/myapp', 'pre-promotion', 'success-rate', 'error', 'AnalysisTemplate success-rate is not in the input (installed separately?): cannot check it'],
    ]);
    for (const example of ['seed-004-gateway-api', 'seed-004-optional-rollouts']) {
      const { code, results } = await rowsOf(example);
      expect(code).toBe(0);
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((r) => r.outcome === 'skipped' && r.detail === 'runs no analysis')).toBe(true);
    }
  });

  test('every seed as one text table: a row per metric, the rewrites and diagnoses as notes, progress on stderr', async () => {
    const { code, out, err } = await cli([dist, '--prometheus', server.url]);
    expect(code).toBe(1);
    expect(out).toMatch(/^Preflight against http:\/\/127\.0\.0\.1:\d+: 48 metrics of 13 rollouts: 30 pass, 1 fail, 7 no-data, 1 error, 9 skipped\n/);
    expect(out).toMatch(/\naragora\/aragora +background +aragora-canary-analysis +success-rate +data +\[0\.999\] +would pass +\[\d+\]\n/);
    expect(out).toMatch(/\nstaging\/backend +step 6 +backend-step-3 +memory +data +\[0\.9\] +would fail +\[\d+\]\n/);
    // Rows sharing a diagnosis share its note: the five production nginx rows point at two notes.
    const note = /\nproduction\/backend +step 2 +backend-step-1 +success-rate +no data +\[\] +no-data +\[(\d+)\] \[(\d+)\]\n/.exec(out)!;
    expect(out).toContain(`\n[${note[2]}] no series of nginx_ingress_controller_requests has ingress="backend-ingress" among those with exported_namespace="production"; it has ingress in {backend} (the controller would measure Inconclusive)\n`);
    expect(out).toContain(`\n[${note[1]}] stable side: canary!="" → canary="" (nginx: requests the stable backend served)\n`);
    expect(out.match(/\[\d+\] no series of nginx_ingress_controller_requests has ingress="backend-ingress"/g)).toHaveLength(1);
    expect(err).toContain('preflight: 13/13 rollouts');
    const md = await cli([path.join(dist, 'seed-000-aragora'), '--prometheus', server.url, '--markdown']);
    expect(md.out).toContain('| aragora/aragora | background | aragora-canary-analysis | success-rate | data | [0.999] | would pass | [1] |');
    expect(md.out).toContain('- [1] stable side: canary!="" → canary="" (nginx: requests the stable backend served)\n');
  });

  test('planted faults: summary instead of histogram, absent label, unmatched sides, subsets, preview Service, hash, rejected query, Secret', async () => {
    const report = await Preflight.run(shopManifests(), { prometheusUrl: server.url });
    const by = new Map(report.results.map((r) => [r.metric, r]));
    expect(by.get('summary-not-histogram')!.detail).toBe('metric checkout_latency_seconds_bucket does not exist, but checkout_latency_seconds_count, checkout_latency_seconds_sum do (a summary or a histogram without buckets?) (the controller would measure Failed)');
    expect(by.get('no-label')!.detail).toBe('no series of nginx_ingress_controller_requests has host="api.aragora.ai" among those with exported_namespace="aragora"; they have no host label (the controller would measure Failed)');
    expect(by.get('unmatched')!.outcome).toBe(PreflightOutcome.NO_DATA);
    expect(by.get('unmatched')!.detail).toMatch(/^both sides of .* have data but no series match on\(pod\): left \{\}, right \{__name__="kube_pod_status_ready", condition="true", namespace="shop", pod="checkout-5d4f8c7b9-abcde"\}/);
    const subset = by.get('subset')!;
    expect(subset.query).toBe('sum(rate(istio_requests_total{destination_service_name="checkout",destination_subset="stable"}[2m]))');
    expect(subset.rewrites).toEqual(['destination_subset="canary" → destination_subset="stable" (the Istio canary subset canary has no traffic before the release: stable instead)']);
    expect(Number(subset.value!.slice(1, -1))).toBeCloseTo(3, 6);
    expect(subset.outcome).toBe(PreflightOutcome.PASS);
    expect(by.get('inconclusive')!.outcome).toBe(PreflightOutcome.INCONCLUSIVE);
    expect(by.get('hash-equal')!.query).toBe('kube_pod_status_ready{pod=~"checkout-[bcdfghjklmnpqrstvwxz2456789]+-abcde"}');
    expect(by.get('hash-equal')!.outcome).toBe(PreflightOutcome.PASS);
    expect(by.get('rejected')!.outcome).toBe(PreflightOutcome.ERROR);
    expect(by.get('rejected')!.detail).toMatch(/^Prometheus rejects the query: bad_data: .*range vector/);
    expect(by.get('secret')!.detail).toBe('argument token comes from Secret api key token: preflight does not read Secrets');
    expect(by.get('matrix')!.detail).toBe('the query returns a matrix: the controller measures Error (Prometheus metric type not supported)');
    expect(by.get('no-name')!.detail).toBe('no series has job="nope" (the controller would measure Failed)');
    expect(by.get('filtered')!.detail).toBe('kube_pod_status_ready{namespace="shop"} > 5 is empty although kube_pod_status_ready{namespace="shop"} has data: the comparison drops every series (the controller would measure Failed)');
    // Samples every 15s: a 10s range never holds two.
    expect(by.get('short-range')!.detail).toBe('rate(kube_pod_status_ready{namespace="shop"}[10s]) is empty although kube_pod_status_ready{namespace="shop"} has series: the range [10s] holds fewer than two samples of them (scrape interval longer than half the range?) (the controller would measure Failed)');
    expect(by.get('stale')!.detail).toBe('metric checkout_legacy_requests_total has no sample in the last 5 minutes (it had some within the hour): its target is down or no longer scraped (the controller would measure Failed)');
    const preview = by.get('preview-traffic')!;
    expect(preview.analysis).toBe('pre-promotion');
    expect(preview.query).toBe('sum(rate(istio_requests_total{destination_service_name=~"cart-active"}[2m]))');
    expect(preview.outcome).toBe(PreflightOutcome.PASS);
    expect(report.failures().map((r) => r.metric)).toEqual(['summary-not-histogram', 'no-label', 'unmatched', 'rejected', 'secret', 'matrix', 'no-name', 'filtered', 'short-range', 'stale']);
    expect(report.failures([PreflightOutcome.NO_DATA]).map((r) => r.metric)).toEqual(['rejected', 'secret', 'matrix']);
  });
});

describe('preflight: reaching Prometheus', () => {
  /** A stand-in HTTP server that records requests and answers like Prometheus (or never). */
  interface FakePrometheus {
    readonly url: string;
    readonly headers: http.IncomingHttpHeaders[];
    maxInFlight(): number;
    close(): Promise<void>;
  }

  async function fakePrometheus(answer: boolean | number, delayMs = 0): Promise<FakePrometheus> {
    const headers: http.IncomingHttpHeaders[] = [];
    const sockets = new Set<any>();
    let inFlight = 0;
    let maxInFlight = 0;
    const server = http.createServer(async (req, res) => {
      headers.push(req.headers);
      if (!answer) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      if (typeof answer === 'number') {
        res.statusCode = answer;
        res.end('Unauthorized');
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } }));
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as any).port;
    return {
      url: `http://127.0.0.1:${port}`,
      headers,
      maxInFlight: () => maxInFlight,
      close: () => new Promise<void>((r) => { sockets.forEach((s) => s.destroy()); server.close(() => r()); }),
    };
  }

  const manifests = path.join(os.tmpdir(), `preflight-manifest-${process.pid}.json`);
  beforeAll(() => fs.writeFileSync(manifests, JSON.stringify(shopManifests())));
  afterAll(() => fs.rmSync(manifests, { force: true }));

  async function cli(args: string[], env: Record<string, string> = {}) {
    let out = '';
    let err = '';
    const code = await preflightMain(args, { out: (t) => { out += t; }, err: (t) => { err += t; }, env });
    return { code, out, err };
  }

  test('an unreachable Prometheus is one line and exit 3', async () => {
    const fake = await fakePrometheus(true);
    const url = fake.url;
    await fake.close();
    const { code, out, err } = await cli([manifests, '--prometheus', url]);
    expect([code, out]).toEqual([3, '']);
    expect(err).toBe(`cdk8s-argo-rollouts preflight: cannot reach Prometheus at ${url}: ECONNREFUSED\n`);
  });

  test('the command line: `cdk8s-argo-rollouts preflight` dispatches, exit status and one line on stderr', async () => {
    const fake = await fakePrometheus(true);
    const url = fake.url;
    await fake.close();
    const cliFile = path.join(__dirname, '..', 'src', 'plan', 'cli.ts');
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', cliFile, 'preflight', manifests, '--prometheus', url], { encoding: 'utf8' });
    expect([run.status, run.stdout, run.stderr]).toEqual([3, '', `cdk8s-argo-rollouts preflight: cannot reach Prometheus at ${url}: ECONNREFUSED\n`]);
  });

  test('a Prometheus that does not answer times out', async () => {
    const fake = await fakePrometheus(false);
    try {
      const { code, err } = await cli([manifests, '--prometheus', fake.url, '--timeout', '0.3']);
      expect(code).toBe(3);
      expect(err).toBe(`cdk8s-argo-rollouts preflight: cannot reach Prometheus at ${fake.url}: no answer within 0.3s\n`);
    } finally {
      await fake.close();
    }
  });

  test('credentials come from the environment or a file and are never printed', async () => {
    const fake = await fakePrometheus(true);
    const tokenFile = path.join(os.tmpdir(), `preflight-token-${process.pid}`);
    fs.writeFileSync(tokenFile, 's3cret-token\n');
    try {
      const bearer = await cli([manifests, '--prometheus', fake.url, '--json'], { PROMETHEUS_BEARER_TOKEN_FILE: tokenFile });
      expect(fake.headers.every((h) => h.authorization === 'Bearer s3cret-token')).toBe(true);
      expect(bearer.out + bearer.err).not.toContain('s3cret');
      fake.headers.length = 0;
      const basic = await cli([manifests, '--prometheus', fake.url], { PROMETHEUS_USERNAME: 'ops', PROMETHEUS_PASSWORD: 'pa55' });
      expect(fake.headers[0].authorization).toBe(`Basic ${Buffer.from('ops:pa55').toString('base64')}`);
      expect(basic.out + basic.err).not.toContain('pa55');
      const inUrl = await cli([manifests, '--prometheus', fake.url.replace('http://', 'http://ops:pa55@')]);
      expect(inUrl).toEqual({ code: 3, out: '', err: 'cdk8s-argo-rollouts preflight: the Prometheus URL contains credentials: pass them in the environment or a file instead\n' });
    } finally {
      fs.rmSync(tokenFile, { force: true });
      await fake.close();
    }
  });

  test('at most --concurrency queries are in flight', async () => {
    const fake = await fakePrometheus(true, 30);
    try {
      const { code } = await cli([manifests, '--prometheus', fake.url, '--concurrency', '2']);
      expect(code).toBe(1);
      expect(fake.headers.length).toBeGreaterThan(5);
      expect(fake.maxInFlight()).toBe(2);
    } finally {
      await fake.close();
    }
  });

  test('refused credentials are one line', async () => {
    const fake = await fakePrometheus(401);
    try {
      const { code, err } = await cli([manifests, '--prometheus', fake.url], { PROMETHEUS_BEARER_TOKEN: 'wrong-token' });
      expect(code).toBe(3);
      expect(err).toBe(`cdk8s-argo-rollouts preflight: Prometheus at ${fake.url} refused the request (HTTP 401): check the credentials\n`);
    } finally {
      await fake.close();
    }
  });

  test('bad usage names the option and the allowed values', async () => {
    expect((await cli([manifests])).err).toContain('--prometheus URL is required');
    const allow = await cli([manifests, '--prometheus', 'http://127.0.0.1:1', '--allow', 'pass']);
    expect(allow.code).toBe(2);
    expect(allow.err).toContain('--allow pass: unknown outcome (allowed: no-data, fail, error)');
    const missing = await cli(['/nonexistent', '--prometheus', 'http://127.0.0.1:1']);
    expect([missing.code, missing.err]).toEqual([1, 'cdk8s-argo-rollouts preflight: error: /nonexistent: no such file or directory\n']);
  });
});
