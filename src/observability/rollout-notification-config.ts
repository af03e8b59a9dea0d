import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { NotificationTarget } from './notification-target';
import { NotificationTrigger } from './notification-trigger';
import { throwViolation } from '../validation/rule-violation';

/** Properties of a `RolloutNotificationConfig`. */
export interface RolloutNotificationConfigProps {
  /**
   * Metadata of the ConfigMap. The controller reads `argo-rollouts-notification-configmap` in its own
   * namespace (and, with `--self-service-notification-enabled`, in the rollout's).
   * @default - name argo-rollouts-notification-configmap, namespace argo-rollouts
   */
  readonly metadata?: ApiObjectMetadata;
}

/**
 * The controller's notification ConfigMap, holding exactly what the subscriptions registered with it
 * use: a service per target (`service.slack`, `service.webhook.<name>`, credentials as `$key`
 * references to `argo-rollouts-notification-secret`), and a template and a trigger per subscribed
 * trigger, so no subscription names a trigger that is not configured.
 */
export class RolloutNotificationConfig extends Construct {
  /** The ConfigMap. */
  public readonly apiObject: ApiObject;
  private readonly services = new Map<string, string>();
  private readonly triggers = new Map<string, NotificationTrigger>();
  private readonly targetsByTrigger = new Map<string, Map<string, NotificationTarget>>();

  constructor(scope: Construct, id: string, props: RolloutNotificationConfigProps = {}) {
    super(scope, id);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argo-rollouts-notification-configmap', namespace: 'argo-rollouts', ...props.metadata },
      data: Lazy.any({ produce: () => this.renderData() }),
    });
  }

  /**
   * Adds a trigger sent to a target. A service is configured once: the same key with two different
   * configurations (e.g. two Slack token keys) is an error.
   */
  public addSubscription(trigger: NotificationTrigger, target: NotificationTarget): void {
    const existing = this.services.get(target.serviceKey);
    if (existing !== undefined && existing !== target.serviceConfig) {
      throwViolation(this, { property: 'targets', field: `data.${target.serviceKey}`, message: `service ${target.serviceKey} is configured twice, differently: ${JSON.stringify(existing)} and ${JSON.stringify(target.serviceConfig)}`, allowed: 'one configuration per service (the same Secret keys)' });
    }
    this.services.set(target.serviceKey, target.serviceConfig);
    this.triggers.set(trigger.name, trigger);
    const targets = this.targetsByTrigger.get(trigger.name) ?? new Map<string, NotificationTarget>();
    targets.set(target.serviceKey, target);
    this.targetsByTrigger.set(trigger.name, targets);
  }

  private renderData(): { [key: string]: string } {
    const data: { [key: string]: string } = {};
    for (const [key, config] of [...this.services].sort(([a], [b]) => a.localeCompare(b))) data[key] = config;
    for (const trigger of [...this.triggers.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const targets = [...this.targetsByTrigger.get(trigger.name)!.values()].sort((a, b) => a.serviceKey.localeCompare(b.serviceKey));
      const template: any = { message: `Rollout {{.rollout.metadata.name}} ${trigger.summary}.` };
      for (const target of targets) {
        const part = target._template(trigger);
        for (const [key, value] of Object.entries(part)) template[key] = { ...template[key], ...(value as any) };
      }
      data[`template.${trigger.templateName}`] = YAML.stringify(template);
      data[`trigger.${trigger.name}`] = YAML.stringify([{ send: [trigger.templateName] }], { flow: false });
    }
    return data;
  }
}
