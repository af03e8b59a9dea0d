import { NotificationService } from './notification-service';
import { yamlLibrary } from '../vendor-load';

/** A trigger of the controller's notification ConfigMap (`trigger.<name>`). */
export interface NotificationTrigger {
  /** Trigger name, e.g. `on-rollout-degraded`; subscriptions name it. */
  readonly name: string;
  /** Templates it sends. */
  readonly send: string[];
  /**
   * Condition over `rollout` (expr-lang), e.g. `rollout.status.phase == 'Degraded'`.
   * @default - always, when the event of the same name happens
   */
  readonly when?: string;
  /**
   * Field whose change allows another notification, e.g. `rollout.spec.template`.
   * @default - one notification per condition change
   */
  readonly oncePer?: string;
}

/** The controller's notification settings (`argo-rollouts-notification-configmap`). */
export interface ControllerNotificationsOptions {
  /**
   * Services subscriptions can send to.
   * @default - none: subscription annotations are refused at synth time
   */
  readonly services?: NotificationService[];
  /**
   * Templates in addition to the release's built-in ones, by name; each is the template's YAML as
   * JSON (`message`, `slack`, `webhook.<service>`...).
   * @default - the built-in templates only
   */
  readonly templates?: { [name: string]: any };
  /**
   * Triggers in addition to (or replacing, by name) the release's built-in ones.
   * @default - the built-in triggers only
   */
  readonly triggers?: NotificationTrigger[];
  /**
   * Triggers used by `notifications.argoproj.io/subscribe.<service>` annotations (no trigger named).
   * @default - none
   */
  readonly defaultTriggers?: string[];
  /**
   * Keep the release's built-in templates and triggers (`on-rollout-completed`, `on-rollout-aborted`...).
   * @default true
   */
  readonly builtInCatalogue?: boolean;
  /**
   * The Secret `argo-rollouts-notification-secret` is created by another tool (External Secrets,
   * Sealed Secrets...), so the release's empty one is not synthesised.
   * @default false
   */
  readonly externalSecret?: boolean;
}

/** The rendered notification ConfigMap data and what is wrong in it. */
export interface RenderedNotifications {
  readonly data: { [key: string]: string };
  readonly errors: string[];
}

/** Renders the notification ConfigMap's data over the release's catalogue and checks its references. */
export function renderNotifications(catalogue: { [key: string]: string }, options: ControllerNotificationsOptions): RenderedNotifications {
  const errors: string[] = [];
  const data: { [key: string]: string } = options.builtInCatalogue === false ? {} : { ...catalogue };
  for (const [name, template] of Object.entries(options.templates ?? {})) data[`template.${name}`] = yamlLibrary().stringify(template);
  for (const trigger of options.triggers ?? []) {
    data[`trigger.${trigger.name}`] = yamlLibrary().stringify([{ send: trigger.send, when: trigger.when, oncePer: trigger.oncePer }]);
  }
  for (const service of options.services ?? []) {
    if (data[service.configKey] !== undefined) errors.push(`${service.configKey}: configured twice`);
    errors.push(...service._errors());
    data[service.configKey] = yamlLibrary().stringify(service.toJson());
  }
  if (options.defaultTriggers?.length) data.defaultTriggers = yamlLibrary().stringify(options.defaultTriggers);

  const triggers = triggerNames(data);
  const templates = new Set(Object.keys(data).filter((k) => k.startsWith('template.')).map((k) => k.slice('template.'.length)));
  for (const name of triggers) {
    for (const condition of yamlLibrary().parse(data[`trigger.${name}`]) ?? []) {
      for (const template of condition.send ?? []) {
        if (!templates.has(template)) errors.push(`trigger.${name}: template '${template}' is not configured`);
      }
    }
  }
  for (const name of options.defaultTriggers ?? []) {
    if (!triggers.includes(name)) errors.push(`defaultTriggers: trigger '${name}' is not configured`);
  }
  return { data: Object.fromEntries(Object.keys(data).sort().map((k) => [k, data[k]])), errors };
}

/** Names of the triggers in a notification ConfigMap's data. */
export function triggerNames(data: { [key: string]: string }): string[] {
  return Object.keys(data).filter((k) => k.startsWith('trigger.')).map((k) => k.slice('trigger.'.length));
}
