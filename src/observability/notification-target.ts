import { NotificationTrigger } from './notification-trigger';

/** The Secret the controller reads notification credentials from (referenced as `$key`). */
export const NOTIFICATION_SECRET = 'argo-rollouts-notification-secret';

/** Options of `NotificationTarget.slack`. */
export interface SlackTargetOptions {
  /**
   * Key of the Slack bot token in the `argo-rollouts-notification-secret` Secret.
   * @default 'slack-token'
   */
  readonly tokenSecretKey?: string;
}

/** Options of `NotificationTarget.webhook`. */
export interface WebhookTargetOptions {
  /**
   * Key of the webhook URL in the `argo-rollouts-notification-secret` Secret (URLs often carry a token).
   * @default '<name>-url'
   */
  readonly urlSecretKey?: string;
}

/**
 * Where a notification goes: a Slack channel, or a named webhook. Credentials are never written:
 * targets name keys of the controller's notification Secret.
 */
export class NotificationTarget {
  /** A Slack channel (name such as `releases`, or a channel ID). */
  public static slack(channel: string, options: SlackTargetOptions = {}): NotificationTarget {
    refuseSecretValue('channel', channel);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(channel)) {
      throw new Error(`NotificationTarget.slack: channel "${channel}" is not a Slack channel name or ID (allowed: letters, digits, . _ -, up to 80, without #)`);
    }
    const tokenKey = secretKey('tokenSecretKey', options.tokenSecretKey ?? 'slack-token');
    return new NotificationTarget('slack', channel, 'service.slack', `token: $${tokenKey}\n`);
  }

  /** A webhook, configured as `service.webhook.<name>`, that receives a JSON body per event. */
  public static webhook(name: string, options: WebhookTargetOptions = {}): NotificationTarget {
    refuseSecretValue('name', name);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
      throw new Error(`NotificationTarget.webhook: name "${name}" is not a service name (allowed: lowercase letters, digits and -, up to 63)`);
    }
    const urlKey = secretKey('urlSecretKey', options.urlSecretKey ?? `${name}-url`);
    return new NotificationTarget(name, '', `service.webhook.${name}`,
      `url: $${urlKey}\nheaders:\n- name: Content-Type\n  value: application/json\n`);
  }

  private constructor(
    /** The service name in subscription annotations (`slack`, or the webhook's name). */
    public readonly service: string,
    /** The recipient (the Slack channel; empty for a webhook). */
    public readonly recipient: string,
    /** The ConfigMap key configuring the service. */
    public readonly serviceKey: string,
    /** The service configuration (YAML), with `$key` Secret references. */
    public readonly serviceConfig: string) {}

  /**
   * The service's part of a notification template for a trigger.
   * @internal
   */
  public _template(trigger: NotificationTrigger): any {
    if (this.serviceKey === 'service.slack') {
      return {
        slack: {
          attachments: JSON.stringify([{
            title: '{{.rollout.metadata.namespace}}/{{.rollout.metadata.name}}',
            color: trigger.color,
            fields: [
              { title: 'Event', value: trigger.name, short: true },
              { title: 'Revision', value: '{{index .rollout.metadata.annotations "rollout.argoproj.io/revision"}}', short: true },
            ],
          }]),
        },
      };
    }
    return {
      webhook: {
        [this.service]: {
          method: 'POST',
          body: JSON.stringify({
            event: trigger.name,
            rollout: '{{.rollout.metadata.name}}',
            namespace: '{{.rollout.metadata.namespace}}',
            revision: '{{index .rollout.metadata.annotations "rollout.argoproj.io/revision"}}',
            message: `Rollout {{.rollout.metadata.name}} ${trigger.summary}`,
          }),
        },
      },
    };
  }
}

/** A key of the notification Secret; refuses what looks like the secret itself. */
function secretKey(property: string, key: string): string {
  refuseSecretValue(property, key);
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key)) {
    throw new Error(`NotificationTarget: ${property} "${key}" is not a Secret key (allowed: letters, digits, - . _)`);
  }
  return key;
}

/** Tokens and URLs belong in the notification Secret, never in manifests. */
function refuseSecretValue(property: string, value: string): void {
  if (/^xox[a-z]-|^gh[pousr]_|^Bearer\s|:\/\/|^hooks\.slack\.com/i.test(value)) {
    throw new Error(`NotificationTarget: ${property} looks like a token or URL; secrets are never written into manifests: put it in the Secret ${NOTIFICATION_SECRET} and pass its key (allowed: a Secret key such as "slack-token")`);
  }
}
