import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { NotificationTarget } from './notification-target';
import { RolloutNotificationTrigger } from './rollout-notification-trigger';
import type { IRollout } from '../rollout/rollout-base';
import { addObjectValidation, throwViolation } from '../validation/rule-violation';

/** The annotation prefix of notification subscriptions. */
export const SUBSCRIBE_ANNOTATION_PREFIX = 'notifications.argoproj.io/subscribe.';

/** Triggers sent to targets. */
export interface NotificationSubscription {
  /** The events. */
  readonly triggers: RolloutNotificationTrigger[];
  /** Where they go. */
  readonly targets: NotificationTarget[];
}

/** Properties of `RolloutNotifications`. */
export interface RolloutNotificationsProps {
  /** The rollout whose events are sent. */
  readonly rollout: IRollout;
  /** What is sent where. */
  readonly subscriptions: NotificationSubscription[];
}

/**
 * Subscribes a rollout to notifications: one `notifications.argoproj.io/subscribe.<trigger>.<service>`
 * annotation per trigger and service, recipients joined with `;`. The services, and triggers other
 * than the built-in ones, are the controller's (`RolloutsController` notifications, which checks
 * every subscription against them at synth time).
 */
export class RolloutNotifications extends Construct {
  /** The subscription annotations this construct added, by key. */
  public readonly annotations: { [key: string]: string } = {};

  constructor(scope: Construct, id: string, props: RolloutNotificationsProps) {
    super(scope, id);
    addObjectValidation(this);
    if (props.subscriptions.length === 0) {
      throwViolation(this, { property: 'subscriptions', field: 'metadata.annotations', message: 'Required value: no subscription', allowed: 'at least one subscription' });
    }
    const metadata = ApiObject.of(props.rollout).metadata;
    props.subscriptions.forEach((subscription, i) => {
      if (subscription.triggers.length === 0 || subscription.targets.length === 0) {
        throwViolation(this, { property: `subscriptions[${i}]`, field: 'metadata.annotations', message: 'Required value: a subscription needs triggers and targets', allowed: 'at least one trigger and one target' });
      }
      for (const trigger of subscription.triggers) {
        for (const target of subscription.targets) {
          const key = `${SUBSCRIBE_ANNOTATION_PREFIX}${trigger.name}.${target.service}`;
          const namePart = key.slice(key.indexOf('/') + 1);
          if (namePart.length > 63) {
            throwViolation(this, {
              property: `subscriptions[${i}]`,
              field: 'metadata.annotations',
              message: `Invalid value: "${key}": name part must be no more than 63 characters (trigger "${trigger.name}", service "${target.service}": the API server refuses the annotation)`,
              allowed: `a trigger and service name of at most ${63 - 'subscribe..'.length} characters together`,
            });
          }
          const existing = metadata.toJson().annotations?.[key];
          const recipients = new Set([...(existing ? existing.split(';') : []), target.recipient].filter((r) => r !== ''));
          const value = [...recipients].sort().join(';');
          metadata.addAnnotation(key, value);
          this.annotations[key] = value;
        }
      }
    });
  }
}
