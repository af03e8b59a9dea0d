import { inlineCredential, inlineHeaderCredential } from '../validation/credentials';

/** A key of the Secret `argo-rollouts-notification-secret`. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Options of a Slack notification service. */
export interface SlackServiceOptions {
  /**
   * Key of the bot token in the Secret `argo-rollouts-notification-secret` (never the token itself).
   * @default 'slack-token'
   */
  readonly tokenKey?: string;
  /**
   * Bot user name shown on messages.
   * @default - the app's name
   */
  readonly username?: string;
  /**
   * Emoji or image URL shown as the bot's icon.
   * @default - the app's icon
   */
  readonly icon?: string;
}

/** An HTTP header a webhook service sends. */
export interface WebhookHeader {
  /** Header name. */
  readonly name: string;
  /**
   * A plain value; not allowed for credential headers (Authorization...).
   * @default - the value comes from `secretKey`
   */
  readonly value?: string;
  /**
   * Key in the Secret `argo-rollouts-notification-secret` whose value is sent.
   * @default - the value is `value`
   */
  readonly secretKey?: string;
  /**
   * Text sent before the secret value, e.g. `Bearer `.
   * @default - none
   */
  readonly secretPrefix?: string;
}

/** Options of a webhook notification service. */
export interface WebhookServiceOptions {
  /**
   * The endpoint, `https://...`, without credentials.
   * @default - the URL is read from `urlSecretKey`
   */
  readonly url?: string;
  /**
   * Key in the Secret `argo-rollouts-notification-secret` holding the URL, for an endpoint whose
   * URL is itself a secret (a Slack or Teams incoming webhook, a URL with a token).
   * @default - the URL is `url`
   */
  readonly urlSecretKey?: string;
  /**
   * Headers sent with every request.
   * @default - none
   */
  readonly headers?: WebhookHeader[];
}

/**
 * A notification service of the controller's `argo-rollouts-notification-configmap`
 * (`service.<type>[.<name>]`); credentials are `$key` references to the Secret
 * `argo-rollouts-notification-secret`, never inline.
 */
export class NotificationService {
  /** Slack (`service.slack`); subscriptions use the service name `slack`. */
  public static slack(options: SlackServiceOptions = {}): NotificationService {
    const tokenKey = options.tokenKey ?? 'slack-token';
    return new NotificationService('slack', 'slack', {
      token: `$${tokenKey}`, username: options.username, icon: options.icon,
    }, [tokenKey]);
  }

  /**
   * A webhook (`service.webhook.<name>`); subscriptions use the service name `<name>`, and
   * templates need a `webhook.<name>` section (method, path, body).
   */
  public static webhook(name: string, options: WebhookServiceOptions): NotificationService {
    const headers = options.headers?.map((h) => ({ name: h.name, value: h.secretKey !== undefined ? `${h.secretPrefix ?? ''}$${h.secretKey}` : h.value }));
    const problems: string[] = [];
    if ((options.url === undefined) === (options.urlSecretKey === undefined)) problems.push('needs exactly one of url, urlSecretKey');
    if (options.url !== undefined && !/^https?:\/\//.test(options.url)) problems.push(`url must be http(s), got "${options.url}"`);
    const credential = options.url === undefined ? undefined : inlineCredential(options.url);
    if (credential) problems.push(`url holds ${credential}: put the URL in argo-rollouts-notification-secret and give its key as urlSecretKey`);
    for (const h of options.headers ?? []) {
      if ((h.value === undefined) === (h.secretKey === undefined)) problems.push(`header "${h.name}" needs exactly one of value, secretKey`);
      const inline = h.value === undefined ? undefined : inlineHeaderCredential(h.name, h.value);
      if (inline) problems.push(`${inline}: give its secretKey (a key of argo-rollouts-notification-secret), not its value`);
    }
    const keys = [options.urlSecretKey, ...(options.headers ?? []).map((h) => h.secretKey)].filter((k): k is string => k !== undefined);
    const url = options.urlSecretKey !== undefined ? `$${options.urlSecretKey}` : options.url;
    return new NotificationService('webhook', name, { url, headers }, keys, problems);
  }

  private constructor(
    /** Service type: `slack`, `webhook`... */
    public readonly type: string,
    /** The name subscriptions use (`notifications.argoproj.io/subscribe.<trigger>.<name>`). */
    public readonly name: string,
    private readonly config: any,
    /** Keys it reads from the Secret `argo-rollouts-notification-secret`. */
    public readonly secretKeys: string[],
    private readonly problems: string[] = [],
  ) {}

  /** The ConfigMap key: `service.slack` or `service.webhook.<name>`. */
  public get configKey(): string {
    return this.type === this.name ? `service.${this.type}` : `service.${this.type}.${this.name}`;
  }

  /** The service's configuration (the ConfigMap value, as JSON). */
  public toJson(): any {
    return this.config;
  }

  /**
   * Invalid settings of the service.
   * @internal
   */
  public _errors(): string[] {
    const invalidKeys = this.secretKeys.filter((k) => !SECRET_KEY.test(k)).map((k) => `${this.configKey}: "${k}" is not a valid Secret key (letters, digits, '-', '_', '.')`);
    const invalidName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name) ? [] : [`${this.configKey}: service name "${this.name}" must be lower-case letters, digits and '-'`];
    return [...invalidName, ...invalidKeys, ...this.problems.map((p) => `${this.configKey}: ${p}`)];
  }
}
