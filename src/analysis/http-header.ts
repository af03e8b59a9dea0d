import * as kplus from 'cdk8s-plus-27';
import { inlineHeaderCredential } from '../validation/credentials';


/** Options of `HttpHeader.fromSecret`. */
export interface HttpHeaderFromSecretOptions {
  /**
   * Text before the secret value, e.g. `Bearer ` or `Basic ` (the key then holds base64 `user:password`).
   * @default - none
   */
  readonly prefix?: string;
}

/**
 * A header sent by a Prometheus or web metric. Credentials come from a Secret: the template
 * declares an argument with `valueFrom.secretKeyRef` and the header value refers to it as
 * `{{args.x}}`, so no secret value is ever in a manifest.
 */
export class HttpHeader {
  /** A header with a plain value (not for credentials: `Authorization`, cookies, tokens, keys). */
  public static of(name: string, value: string): HttpHeader {
    return new HttpHeader(name, value);
  }

  /** A header whose value is read from a key of a Secret in the AnalysisRun's namespace. */
  public static fromSecret(name: string, secret: kplus.SecretValue, options: HttpHeaderFromSecretOptions = {}): HttpHeader {
    return new HttpHeader(name, undefined, secret, options.prefix ?? '');
  }

  private constructor(
    /** The header name. */
    public readonly name: string,
    private readonly value?: string,
    private readonly secret?: kplus.SecretValue,
    private readonly prefix = '',
  ) {}

  /** A problem with an inline credential, or undefined. @internal */
  public _problem(): string | undefined {
    const credential = this.value === undefined ? undefined : inlineHeaderCredential(this.name, this.value);
    if (credential) return `${credential}; its value must not be inline`;
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(this.name)) return `"${this.name}" is not a valid HTTP header name`;
    return undefined;
  }

  /**
   * The `headers[]` entry, and the template argument that carries the secret (named `<argPrefix>-<header>`).
   * @internal
   */
  public _render(argPrefix: string): { header: { key: string; value: string }; arg?: any } {
    if (!this.secret) return { header: { key: this.name, value: this.value! } };
    const name = `${argPrefix}-${this.name.toLowerCase()}`;
    return {
      header: { key: this.name, value: `${this.prefix}{{args.${name}}}` },
      arg: { name, valueFrom: { secretKeyRef: { name: this.secret.secret.name, key: this.secret.key } } },
    };
  }
}
