/** A sample of an instant query: its labels and the value as Prometheus wrote it (`"0.99"`, `"NaN"`, `"+Inf"`). */
export interface Sample {
  readonly labels: Record<string, string>;
  readonly value: string;
}

/** The result of an instant query. */
export interface InstantResult {
  readonly resultType: string;
  /** The samples of a vector; one sample without labels for a scalar. */
  readonly samples: Sample[];
}

/** Prometheus answered with an error (bad query, timeout on its side): the message is Prometheus's. */
export class QueryError extends Error {}

/** Prometheus cannot be reached, or does not answer like Prometheus: the message is one line, credentials never in it. */
export class UnreachableError extends Error {}

/** How to reach Prometheus. */
export interface ClientOptions {
  readonly url: string;
  readonly bearerToken?: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/**
 * Instant queries through the Prometheus HTTP API (`/api/v1/query`, POST form, as the controller's
 * client does), at most `concurrency` at a time, each bounded by the timeout.
 */
export class PrometheusClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: ClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UnreachableError(`${options.url}: not a URL`);
    }
    if (url.username || url.password) throw new UnreachableError('the Prometheus URL contains credentials: pass them in the environment or a file instead');
    if (!['http:', 'https:'].includes(url.protocol)) throw new UnreachableError(`${options.url}: not an http(s) URL`);
    this.base = url.toString().replace(/\/+$/, '');
    this.headers = { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json' };
    if (options.bearerToken) {this.headers.Authorization = `Bearer ${options.bearerToken}`;} else if (options.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
    }
  }

  /** The Prometheus address, without credentials. */
  public get url(): string {
    return this.base;
  }

  /** Runs an instant query at the server's now. */
  public async query(query: string): Promise<InstantResult> {
    await this.acquire();
    try {
      return await this.post(query);
    } finally {
      this.release();
    }
  }

  private async post(query: string): Promise<InstantResult> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/api/v1/query`, {
        method: 'POST',
        headers: this.headers,
        // At the client's now, as the controller's `api.Query(ctx, query, time.Now())`.
        body: new URLSearchParams({ query, time: (Date.now() / 1000).toFixed(3) }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (e: any) {
      const cause = e?.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs / 1000}s` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e));
      throw new UnreachableError(`cannot reach Prometheus at ${this.base}: ${cause}`);
    }
    const body: any = await response.json().catch(() => undefined);
    if (response.status === 401 || response.status === 403) {
      throw new UnreachableError(`Prometheus at ${this.base} refused the request (HTTP ${response.status}): check the credentials`);
    }
    if (body?.status === 'error') throw new QueryError(`${body.errorType}: ${body.error}`);
    if (!response.ok || body?.status !== 'success') {
      throw new UnreachableError(`${this.base}/api/v1/query answered HTTP ${response.status}${body ? '' : ' without a Prometheus JSON body'}: is this a Prometheus server?`);
    }
    const data = body.data;
    if (data.resultType === 'vector') {
      return { resultType: 'vector', samples: data.result.map((s: any) => ({ labels: s.metric ?? {}, value: s.value[1] })) };
    }
    if (data.resultType === 'scalar') return { resultType: 'scalar', samples: [{ labels: {}, value: data.result[1] }] };
    return { resultType: data.resultType, samples: [] };
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** A Prometheus sample value as the controller's float64 (`NaN`, `+Inf`, `-Inf` included). */
export function sampleNumber(value: string): number {
  if (value === '+Inf' || value === 'Inf') return Infinity;
  if (value === '-Inf') return -Infinity;
  return Number(value);
}
