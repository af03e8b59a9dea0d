import { ApiObject, Chart, Duration, Include, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { ControllerManifests } from './controller-manifests';
import { ControllerNotificationsOptions, renderNotifications, triggerNames } from './controller-notifications';
import { ControllerPlugin, PluginKind } from './controller-plugin';
import { appRequirementViolations } from './controller-requirements';
import { ControllerSizing } from './controller-sizing';
import { isClusterScoped, placeInNamespace } from './namespace-placement';
import { IAnalysisTemplate } from '../analysis/analysis-template';
import { API_KINDS } from '../synth/api-kinds';
import { grantGatewayApiPluginAccess } from '../traffic/gateway-api-plugin';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';
import { yamlLibrary } from '../vendor-load';

/** Log level of the controller (`--loglevel`). */
export enum ControllerLogLevel {
  DEBUG = 'debug',
  INFO = 'info',
  WARN = 'warn',
  ERROR = 'error',
}

/** Log format of the controller (`--logformat`). */
export enum ControllerLogFormat {
  TEXT = 'text',
  JSON = 'json',
}

/** The ServiceMonitor that lets Prometheus scrape the controller's metrics. */
export interface ControllerServiceMonitorOptions {
  /**
   * Create it (needs the Prometheus Operator's CRDs in the cluster).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Labels of the ServiceMonitor, as the Prometheus's `serviceMonitorSelector` expects
   * (e.g. `{ release: 'kube-prometheus-stack' }`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Scrape interval.
   * @default - Prometheus's global interval
   */
  readonly interval?: Duration;
}

/** Properties of a `RolloutsController`. */
export interface RolloutsControllerProps {
  /**
   * The release manifests the controller is made from.
   * @default ControllerManifests.bundled() - v1.9.1's manifests shipped in this package (no network at synth time)
   */
  readonly manifests?: ControllerManifests;
  /**
   * Namespace of the controller and its namespaced objects (ConfigMaps, Secret, Service...).
   * @default - the chart's namespace, else `argo-rollouts`
   */
  readonly namespace?: string;
  /**
   * Controller image.
   * @default `quay.io/argoproj/argo-rollouts:<manifests.version>`
   */
  readonly image?: string;
  /**
   * Controller pods; above 1, one leads and the others wait (leader election), spread over nodes and
   * protected by a PodDisruptionBudget.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Leader election between controller pods (`--leader-elect`); required with more than one replica.
   * @default true
   */
  readonly leaderElection?: boolean;
  /**
   * Container requests and limits.
   * @default ControllerSizing.forRollouts(100)
   */
  readonly sizing?: ControllerSizing;
  /**
   * `--loglevel`.
   * @default ControllerLogLevel.INFO
   */
  readonly logLevel?: ControllerLogLevel;
  /**
   * `--logformat`.
   * @default ControllerLogFormat.TEXT
   */
  readonly logFormat?: ControllerLogFormat;
  /**
   * Prometheus URL for analysis metrics that give no address (`ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`),
   * e.g. `PrometheusAnalysis` without `address`.
   * @default - none: every Prometheus metric needs its own address
   */
  readonly prometheusAddress?: string;
  /**
   * Node labels the controller pods must run on.
   * @default - any node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Node taints the controller pods tolerate.
   * @default - none
   */
  readonly tolerations?: kplus.NodeTaintQuery[];
  /**
   * Traffic router, metric provider and step plugins registered in `argo-rollouts-config`.
   * @default - none
   */
  readonly plugins?: ControllerPlugin[];
  /**
   * Notification services, templates and triggers (`argo-rollouts-notification-configmap`).
   * @default - the release's built-in templates and triggers, no service
   */
  readonly notifications?: ControllerNotificationsOptions;
  /**
   * The ServiceMonitor of the metrics Service.
   * @default - a ServiceMonitor without extra labels
   */
  readonly serviceMonitor?: ControllerServiceMonitorOptions;
  /**
   * ClusterAnalysisTemplates shared by every namespace's rollouts (`PrometheusAnalysis` with cluster
   * scope, `SharedAnalysisTemplate`, or `AnalysisTemplateRef.fromName(name, { clusterScope: true })`
   * for one installed elsewhere). Rollouts of the app may reference only these, or those the app
   * creates.
   * @default - none
   */
  readonly sharedTemplates?: IAnalysisTemplate[];
}

const CONTROLLER_NAME = 'argo-rollouts';
const CONFIG_MAP = 'argo-rollouts-config';
const NOTIFICATION_CONFIG_MAP = 'argo-rollouts-notification-configmap';
const NOTIFICATION_SECRET = 'argo-rollouts-notification-secret';
const METRICS_SERVICE = 'argo-rollouts-metrics';
const GATEWAY_API_PLUGIN_ROLE = 'argo-rollouts-gateway-api-plugin';

/**
 * The Argo Rollouts controller of a pinned release, from the release's own manifests (CRDs,
 * ServiceAccount, ClusterRoles and binding, `argo-rollouts-config`, notification ConfigMap and
 * Secret, metrics Service, Deployment) with typed settings applied on top: namespace, replicas with
 * leader election, sizing, log level, node placement, plugins, notification services, a
 * ServiceMonitor and shared ClusterAnalysisTemplates.
 *
 * At synth time it checks the rest of the app against its configuration: every traffic router,
 * step and metric plugin used is registered, every notification subscription names a configured
 * service and trigger, every ClusterAnalysisTemplate referenced exists.
 */
export class RolloutsController extends Construct {
  /** Finds the controller of an app, if it has one. */
  public static of(scope: IConstruct): RolloutsController | undefined {
    return scope.node.root.node.findAll().find((c): c is RolloutsController => c instanceof RolloutsController);
  }

  /** The namespace of the controller. */
  public readonly namespace: string;
  /** The release version. */
  public readonly version: string;
  /** The plugins registered. */
  public readonly plugins: ControllerPlugin[];
  /** The shared ClusterAnalysisTemplates. */
  public readonly sharedTemplates: IAnalysisTemplate[];
  /** Name of the Secret notification services read their credentials from. */
  public readonly notificationSecretName = NOTIFICATION_SECRET;
  /** Keys that Secret must hold for the configured notification services. */
  public readonly notificationSecretKeys: string[];
  /** Name of the metrics Service, also the `job` label of its scraped series. */
  public readonly metricsServiceName = METRICS_SERVICE;
  /** The controller Deployment. */
  public readonly deployment: ApiObject;
  /** The ServiceMonitor, unless disabled. */
  public readonly serviceMonitor?: ApiObject;

  private readonly install: Include;
  private readonly notificationTriggers: string[];
  private readonly notificationOptions: ControllerNotificationsOptions;

  constructor(scope: Construct, id: string, props: RolloutsControllerProps = {}) {
    super(scope, id);
    const existing = RolloutsController.of(this.node.root);
    if (existing && existing !== this) {
      throwViolation(this, { property: 'RolloutsController', field: 'app', message: `the app already has a controller at ${existing.node.path}`, allowed: 'one RolloutsController per app (they would share the CRDs and cluster roles)' });
    }
    const manifests = props.manifests ?? ControllerManifests.bundled();
    this.version = manifests.version;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? CONTROLLER_NAME;
    this.plugins = [...(props.plugins ?? [])];
    this.sharedTemplates = [...(props.sharedTemplates ?? [])];

    this.install = new Include(this, 'Install', { url: manifests.install });
    const notifications = new Include(this, 'Notifications', { url: manifests.notifications });

    this.deployment = this.included(this.install, 'Deployment', CONTROLLER_NAME);
    this.configureDeployment(props);
    this.registerPlugins();

    const notificationOptions = this.notificationOptions = props.notifications ?? {};
    const notificationConfig = this.included(notifications, 'ConfigMap', NOTIFICATION_CONFIG_MAP);
    const rendered = renderNotifications(notificationConfig.toJson().data ?? {}, notificationOptions);
    notificationConfig.addJsonPatch(JsonPatch.add('/data', rendered.data));
    this.notificationTriggers = triggerNames(rendered.data);
    this.notificationSecretKeys = [...new Set((notificationOptions.services ?? []).flatMap((s) => s.secretKeys))].sort();
    if (notificationOptions.externalSecret) {
      this.install.node.tryRemoveChild(this.included(this.install, 'Secret', NOTIFICATION_SECRET).node.id);
    }

    for (const template of this.sharedTemplates) {
      if (!template.clusterScope) {
        throwViolation(this, { property: 'sharedTemplates', field: 'kind', message: `AnalysisTemplate "${template.templateName}" is namespaced: rollouts in other namespaces cannot use it`, allowed: 'ClusterAnalysisTemplates (clusterScope: true)' });
      }
    }

    if (props.serviceMonitor?.enabled ?? true) this.serviceMonitor = this.createServiceMonitor(props.serviceMonitor ?? {});

    const clusterRoleBinding = this.included(this.install, 'ClusterRoleBinding', CONTROLLER_NAME);
    const subjects = (clusterRoleBinding.toJson().subjects ?? []).map((s: any) => (s.kind === 'ServiceAccount' ? { ...s, namespace: this.namespace } : s));
    clusterRoleBinding.addJsonPatch(JsonPatch.replace('/subjects', subjects));
    for (const obj of this.node.findAll().filter((c) => ApiObject.isApiObject(c))) placeInNamespace(obj, this.namespace);

    addRuleValidation(this, () => [...notificationViolations(rendered.errors), ...this.duplicateViolations(), ...this.validateApp()]);
  }

  /** A shared ClusterAnalysisTemplate by name, for rollouts to reference. */
  public sharedTemplate(name: string): IAnalysisTemplate {
    const template = this.sharedTemplates.find((t) => t.templateName === name);
    if (!template) {
      throwViolation(this, { property: 'sharedTemplates', field: 'metadata.name', message: `no shared template named "${name}"`, allowed: `one of ${JSON.stringify(this.sharedTemplates.map((t) => t.templateName))}` });
    }
    return template;
  }

  /** An object of the release manifest, by kind and name. */
  private included(include: Include, kind: string, name: string): ApiObject {
    const found = include.apiObjects.find((o) => o.kind === kind && o.name === name);
    if (!found) {
      throwViolation(this, { property: 'manifests', field: `${kind}/${name}`, message: `the release manifest has no ${kind} named "${name}"`, allowed: 'the install.yaml and notifications-install.yaml of an Argo Rollouts release' });
    }
    return found;
  }

  private configureDeployment(props: RolloutsControllerProps): void {
    const replicas = props.replicas ?? 1;
    const leaderElection = props.leaderElection ?? true;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throwViolation(this, { property: 'replicas', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be a whole number of at least 1`, allowed: '1 or more' });
    }
    if (replicas > 1 && !leaderElection) {
      throwViolation(this, { property: 'leaderElection', field: 'spec.template.spec.containers[0].args', message: `Invalid value: false: ${replicas} controllers without leader election would all reconcile the same rollouts`, allowed: 'leaderElection: true, or replicas: 1' });
    }
    const spec = this.deployment.toJson().spec;
    const index = spec.template.spec.containers.findIndex((c: any) => c.name === CONTROLLER_NAME);
    if (index < 0) {
      throwViolation(this, { property: 'manifests', field: 'spec.template.spec.containers', message: `the Deployment has no container named "${CONTROLLER_NAME}"`, allowed: 'an Argo Rollouts release manifest' });
    }
    const container = spec.template.spec.containers[index];
    const sizing = (props.sizing ?? ControllerSizing.forRollouts(100))._render(container.resources);
    if (sizing.violations.length > 0) throwViolation(this, sizing.violations[0]);

    const args = [...(container.args ?? [])];
    if (replicas > 1 || !leaderElection) args.push(`--leader-elect=${leaderElection}`);
    if (props.logLevel) args.push('--loglevel', props.logLevel);
    if (props.logFormat) args.push('--logformat', props.logFormat);

    const at = `/spec/template/spec/containers/${index}`;
    const patches = [
      JsonPatch.replace('/spec/replicas', replicas),
      JsonPatch.replace(`${at}/image`, props.image ?? `quay.io/argoproj/argo-rollouts:${this.version}`),
      JsonPatch.replace(`${at}/imagePullPolicy`, 'IfNotPresent'),
      JsonPatch.add(`${at}/resources`, sizing.json),
    ];
    if (args.length > 0) patches.push(JsonPatch.add(`${at}/args`, args));
    if (props.prometheusAddress !== undefined) {
      if (!/^https?:\/\/[^/]/.test(props.prometheusAddress)) {
        throwViolation(this, { property: 'prometheusAddress', field: `spec.template.spec.containers[${index}].env`, message: `Invalid value: "${props.prometheusAddress}": not an http(s) URL`, allowed: 'e.g. http://prometheus.monitoring.svc.cluster.local:9090' });
      }
      const env = [...(container.env ?? []), { name: 'ARGO_ROLLOUTS_PROMETHEUS_ADDRESS', value: props.prometheusAddress }];
      patches.push(JsonPatch.add(`${at}/env`, env));
    }
    if (props.nodeSelector) patches.push(JsonPatch.add('/spec/template/spec/nodeSelector', props.nodeSelector));
    if (props.tolerations?.length) {
      patches.push(JsonPatch.add('/spec/template/spec/tolerations', props.tolerations.map((t) => kplus.k8s.toJson_Toleration(t._toKube()))));
    }
    if (replicas > 1) {
      patches.push(JsonPatch.add('/spec/template/spec/affinity', spreadOverNodes(spec.selector.matchLabels)));
      new ApiObject(this, 'DisruptionBudget', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: CONTROLLER_NAME, labels: this.deployment.metadata.toJson().labels },
        spec: { minAvailable: 1, selector: { matchLabels: spec.selector.matchLabels } },
      });
    }
    this.deployment.addJsonPatch(...patches);
  }

  /** Lists the plugins in `argo-rollouts-config`; the Gateway API plugin also gets its RBAC. */
  private registerPlugins(): void {
    const errors = this.plugins.flatMap((p) => p._errors());
    const names = this.plugins.map((p) => `${p.kind}/${p.name}`);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) errors.push(`${duplicate} is registered twice`);
    if (errors.length > 0) {
      throwViolation(this, { property: 'plugins', field: `ConfigMap/${CONFIG_MAP}`, message: errors.join('; '), allowed: 'plugins named <owner>/<name>, located at http(s):// or file://, with a 64-digit sha256' });
    }
    const data: { [key: string]: string } = {};
    for (const kind of Object.values(PluginKind)) {
      const entries = this.plugins.filter((p) => p.kind === kind).map((p) => p.toJson());
      if (entries.length > 0) data[kind] = yamlLibrary().stringify(entries);
    }
    if (Object.keys(data).length > 0) this.included(this.install, 'ConfigMap', CONFIG_MAP).addJsonPatch(JsonPatch.add('/data', data));
    if (this.plugins.some((p) => p.isGatewayApi)) this.grantGatewayApiRoutes();
  }

  /** The permissions the Gateway API plugin documents: read Services, edit routes. */
  private grantGatewayApiRoutes(): void {
    const serviceAccount = this.included(this.install, 'ServiceAccount', CONTROLLER_NAME);
    grantGatewayApiPluginAccess(this, GATEWAY_API_PLUGIN_ROLE, serviceAccount.name, this.namespace);
  }


  /** Selects the metrics Service by its own labels and port, so the two cannot drift apart. */
  private createServiceMonitor(options: ControllerServiceMonitorOptions): ApiObject {
    const service = this.included(this.install, 'Service', METRICS_SERVICE).toJson();
    const port = (service.spec.ports ?? []).find((p: any) => p.name === 'metrics');
    if (!port) {
      throwViolation(this, { property: 'serviceMonitor', field: `Service/${METRICS_SERVICE}.spec.ports`, message: 'the metrics Service has no port named "metrics"', allowed: 'an Argo Rollouts release manifest' });
    }
    return new ApiObject(this, 'ServiceMonitor', {
      ...API_KINDS.serviceMonitor,
      metadata: { name: CONTROLLER_NAME, labels: { ...service.metadata.labels, ...options.labels } },
      spec: {
        selector: { matchLabels: service.metadata.labels },
        namespaceSelector: { matchNames: [this.namespace] },
        endpoints: [{ port: port.name, path: '/metrics', interval: options.interval && `${options.interval.toSeconds()}s` }],
      },
    });
  }

  /** Another construct of the app must not define an object the controller owns (two owners fight in Argo CD). */
  private duplicateViolations(): RuleViolation[] {
    const mine = this.node.findAll().filter((c) => ApiObject.isApiObject(c));
    const owned = new Set(mine.map((o) => `${o.kind}/${o.name}`));
    return this.node.root.node.findAll()
      .filter((c) => ApiObject.isApiObject(c) && owned.has(`${c.kind}/${c.name}`) && !mine.includes(c))
      .map((c) => ApiObject.of(c))
      .filter((o) => isClusterScoped(o.kind) || o.toJson().metadata.namespace === this.namespace)
      .map((o) => ({
        property: 'RolloutsController',
        field: `${o.kind}/${o.name}`,
        message: `${o.kind} "${o.name}" is also defined at ${o.node.path}`,
        allowed: 'one owner: configure it through RolloutsController (plugins: ControllerPlugin.gatewayApi() instead of GatewayApiPlugin, for argo-rollouts-config)',
      }));
  }

  private validateApp(): RuleViolation[] {
    const plugins = new Map<PluginKind, string[]>();
    for (const p of this.plugins) plugins.set(p.kind, [...(plugins.get(p.kind) ?? []), p.name]);
    const notifications = this.notificationOptions;
    return appRequirementViolations(this.node.root, {
      plugins,
      notificationServices: (notifications.services ?? []).map((s) => s.name),
      notificationTriggers: this.notificationTriggers,
      hasDefaultTriggers: (notifications.defaultTriggers ?? []).length > 0,
      externalClusterTemplates: this.sharedTemplates.map((t) => t.templateName),
    });
  }
}

function notificationViolations(errors: string[]): RuleViolation[] {
  return errors.map((message) => ({ property: 'notifications', field: `ConfigMap/${NOTIFICATION_CONFIG_MAP}`, message, allowed: 'services, templates and triggers that reference each other' }));
}

/** Prefer one controller pod per node, so a node failure leaves a standby to take the lease. */
function spreadOverNodes(matchLabels: { [key: string]: string }): any {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels } },
      }],
    },
  };
}
