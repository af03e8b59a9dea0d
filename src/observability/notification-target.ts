import { inlineCredential } from '../validation/credentials';

/**
 * Where a rollout's notifications go: a service of the controller's notification ConfigMap (see
 * `RolloutsController` notifications, which configure it with credentials from the Secret
 * `argo-rollouts-notification-secret`) and a recipient.
 */
export class NotificationTarget {
  /**
   * A Slack channel (name such as `releases`, or a channel ID) of the Slack service.
   * @param service the service name in the controller's ConfigMap (`service.slack`)
   */
  public static slack(channel: string, service: string = 'slack'): NotificationTarget {
    refuseSecretValue('channel', channel);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/.test(channel)) {
      throw new Error(`NotificationTarget.slack: channel "${channel}" is not a Slack channel name or ID (allowed: letters, digits, . _ -, up to 80, without #)`);
    }
    return new NotificationTarget(serviceName(service), channel);
  }

  /** A webhook service (`service.webhook.<name>`), which has no recipient. */
  public static webhook(name: string): NotificationTarget {
    return new NotificationTarget(serviceName(name), '');
  }

  private constructor(
    /** The service name in subscription annotations (`slack`, or the webhook's name). */
    public readonly service: string,
    /** The recipient (the Slack channel; empty for a webhook). */
    public readonly recipient: string) {}
}

function serviceName(name: string): string {
  refuseSecretValue('service', name);
  if (!/^[a-z0-9]([-a-z0-9_]{0,61}[a-z0-9])?$/.test(name)) {
    throw new Error(`NotificationTarget: service "${name}" is not a service name (allowed: lowercase letters, digits, - and _, up to 63)`);
  }
  return name;
}

/** Tokens and URLs belong in the notification Secret, never in manifests. */
function refuseSecretValue(property: string, value: string): void {
  if (/:\/\/|^hooks\.slack\.com/i.test(value) || inlineCredential(value)) {
    throw new Error(`NotificationTarget: ${property} looks like a token or URL; secrets are never written into manifests: put it in the Secret argo-rollouts-notification-secret, referenced by the controller's notification service (allowed: a channel or service name)`);
  }
}
