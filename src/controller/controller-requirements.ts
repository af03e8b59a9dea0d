import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PluginKind } from './controller-plugin';
import { RuleViolation } from '../validation/rule-violation';

const ARGO_API_VERSION = 'argoproj.io/v1alpha1';
const SUBSCRIBE_PREFIX = 'notifications.argoproj.io/subscribe.';

/** What the controller is configured for, as the app's objects are checked against it. */
export interface ControllerCapabilities {
  /** Registered plugin names by ConfigMap key. */
  readonly plugins: Map<PluginKind, string[]>;
  /** Names of the notification services. */
  readonly notificationServices: string[];
  /** Names of the notification triggers. */
  readonly notificationTriggers: string[];
  /** Whether `defaultTriggers` is set. */
  readonly hasDefaultTriggers: boolean;
  /** ClusterAnalysisTemplates known to exist beyond those in the app. */
  readonly externalClusterTemplates: string[];
}

/**
 * Checks every Rollout, AnalysisTemplate and ClusterAnalysisTemplate of the app (final JSON, patches
 * included) against what the controller is configured for: registered plugins, notification
 * services and triggers, and the ClusterAnalysisTemplates rollouts reference.
 */
export function appRequirementViolations(root: IConstruct, capabilities: ControllerCapabilities): RuleViolation[] {
  const objects = root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.apiVersion === ARGO_API_VERSION);
  const clusterTemplates = new Set([
    ...capabilities.externalClusterTemplates,
    ...objects.filter((o) => o.kind === 'ClusterAnalysisTemplate').map((o) => o.name),
  ]);
  const violations: RuleViolation[] = [];
  for (const obj of objects) {
    if (obj.kind === 'Rollout') {
      const json = obj.toJson();
      violations.push(...rolloutPluginViolations(obj, json, capabilities), ...subscriptionViolations(obj, json, capabilities));
      violations.push(...clusterTemplateViolations(obj, json, clusterTemplates));
    } else if (obj.kind === 'AnalysisTemplate' || obj.kind === 'ClusterAnalysisTemplate') {
      violations.push(...metricPluginViolations(obj, obj.toJson(), capabilities));
    }
  }
  return violations;
}

function missingPlugin(obj: ApiObject, kind: PluginKind, name: string, field: string, capabilities: ControllerCapabilities): RuleViolation[] {
  const registered = capabilities.plugins.get(kind) ?? [];
  if (registered.includes(name)) return [];
  return [{
    property: 'plugins',
    field: `${obj.kind} "${obj.name}" (${obj.node.path}): ${field}`,
    message: `plugin ${name} not configured in configmap`,
    allowed: `${registered.length > 0 ? `one of ${JSON.stringify(registered)}` : `no ${kind}`}; register it with ControllerPlugin in RolloutsController's plugins`,
  }];
}

function rolloutPluginViolations(obj: ApiObject, json: any, capabilities: ControllerCapabilities): RuleViolation[] {
  const canary = json.spec?.strategy?.canary ?? {};
  const routers = Object.keys(canary.trafficRouting?.plugins ?? {})
    .flatMap((name) => missingPlugin(obj, PluginKind.TRAFFIC_ROUTER, name, `spec.strategy.canary.trafficRouting.plugins.${name}`, capabilities));
  const steps = (canary.steps ?? []).flatMap((step: any, i: number) => (step.plugin
    ? missingPlugin(obj, PluginKind.STEP, step.plugin.name, `spec.strategy.canary.steps[${i}].plugin.name`, capabilities)
    : []));
  return [...routers, ...steps];
}

function metricPluginViolations(obj: ApiObject, json: any, capabilities: ControllerCapabilities): RuleViolation[] {
  return (json.spec?.metrics ?? []).flatMap((metric: any, i: number) => Object.keys(metric.provider?.plugin ?? {})
    .flatMap((name) => missingPlugin(obj, PluginKind.METRIC_PROVIDER, name, `spec.metrics[${i}].provider.plugin.${name}`, capabilities)));
}

/**
 * `notifications.argoproj.io/subscribe.<trigger>.<service>` and `subscribe.<service>` annotations
 * must name a configured service and trigger (or rely on configured default triggers).
 */
function subscriptionViolations(obj: ApiObject, json: any, capabilities: ControllerCapabilities): RuleViolation[] {
  const violations: RuleViolation[] = [];
  for (const key of Object.keys(json.metadata?.annotations ?? {})) {
    if (!key.startsWith(SUBSCRIBE_PREFIX)) continue;
    const parts = key.slice(SUBSCRIBE_PREFIX.length).split('.');
    const [trigger, service] = parts.length === 2 ? parts : [undefined, parts[0]];
    const field = `${obj.kind} "${obj.name}" (${obj.node.path}): metadata.annotations["${key}"]`;
    if (!capabilities.notificationServices.includes(service)) {
      violations.push({
        property: 'notifications.services',
        field,
        message: `notification service '${service}' is not configured`,
        allowed: `${capabilities.notificationServices.length > 0 ? `one of ${JSON.stringify(capabilities.notificationServices)}` : 'no service'}; add NotificationService.${service === 'slack' ? 'slack()' : `webhook('${service}', ...)`} to RolloutsController's notifications.services`,
      });
    }
    if (trigger !== undefined && !capabilities.notificationTriggers.includes(trigger)) {
      violations.push({ property: 'notifications.triggers', field, message: `trigger '${trigger}' is not configured`, allowed: `one of ${JSON.stringify(capabilities.notificationTriggers)}` });
    }
    if (trigger === undefined && !capabilities.hasDefaultTriggers) {
      violations.push({ property: 'notifications.defaultTriggers', field, message: `subscription to '${service}' without a trigger needs defaultTriggers, and none are configured`, allowed: 'a subscribe.<trigger>.<service> annotation, or notifications.defaultTriggers' });
    }
  }
  return violations;
}

/** Every `{ templateName, clusterScope: true }` reference in a rollout spec must name an existing ClusterAnalysisTemplate. */
function clusterTemplateViolations(obj: ApiObject, json: any, known: Set<string>): RuleViolation[] {
  const missing = new Set<string>();
  const walk = (value: any): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    if (value.clusterScope === true && typeof value.templateName === 'string' && !known.has(value.templateName)) missing.add(value.templateName);
    Object.values(value).forEach(walk);
  };
  walk(json.spec?.strategy);
  return [...missing].map((name) => ({
    property: 'sharedTemplates',
    field: `${obj.kind} "${obj.name}" (${obj.node.path}): spec.strategy`,
    message: `clusteranalysistemplate.argoproj.io "${name}" not found`,
    allowed: `one of ${JSON.stringify([...known].sort())}; or declare it in RolloutsController's sharedTemplates (AnalysisTemplateRef.fromName('${name}', { clusterScope: true }) if it is installed elsewhere)`,
  }));
}
