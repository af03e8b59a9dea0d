import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { promqlDuration } from '../analysis/promql';
import { POD_TEMPLATE_HASH_LABEL } from '../rollout/rollout-base';
import type { IRollout } from '../rollout/rollout-base';
import { API_KINDS } from '../synth/api-kinds';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** The label that ties a rollout's metrics Service to its ServiceMonitor. */
export const METRICS_SERVICE_LABEL = 'rollouts.cdk8s.io/metrics-of';

/** Properties of a `RolloutServiceMonitor`. */
export interface RolloutServiceMonitorProps {
  /** The rollout whose pods are scraped. */
  readonly rollout: IRollout;
  /**
   * Container port serving the metrics.
   * @default - the target port of the rollout's stable Service's first port
   */
  readonly port?: number;
  /**
   * Name of the metrics port.
   * @default 'metrics'
   */
  readonly portName?: string;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Scrape interval.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Metadata of the ServiceMonitor (add the labels your Prometheus `serviceMonitorSelector` requires).
   * @default - a generated name, the rollout's namespace
   */
  readonly metadata?: ApiObjectMetadata;
}

/**
 * Makes Prometheus scrape a rollout's pods, so analysis checks and dashboards on application metrics
 * have data: a headless `<rollout>-metrics` Service selecting every pod of the rollout, and a
 * ServiceMonitor (prometheus-operator) on its metrics port that copies the pods'
 * `rollouts-pod-template-hash` label onto every series (`rollouts_pod_template_hash`).
 *
 * Not the stable and canary Services: outside a release both select the same pods, so every pod
 * would be scraped twice and every sum doubled.
 */
export class RolloutServiceMonitor extends Construct {
  /** The headless Service the ServiceMonitor selects. */
  public readonly service: kplus.Service;
  /** The ServiceMonitor. */
  public readonly apiObject: ApiObject;
  /** The scraped container port. */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: RolloutServiceMonitorProps) {
    super(scope, id);
    const rollout = props.rollout;
    const portName = props.portName ?? 'metrics';
    if (!/^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(portName) || !/[a-z]/.test(portName)) {
      throwViolation(this, { property: 'portName', field: 'spec.endpoints[0].port', message: `Invalid value: "${portName}": not an IANA service name`, allowed: 'up to 15 lowercase letters, digits and -, with a letter' });
    }
    const path = props.path ?? '/metrics';
    if (!path.startsWith('/')) {
      throwViolation(this, { property: 'path', field: 'spec.endpoints[0].path', message: `Invalid value: "${path}": not an absolute path`, allowed: 'a path starting with /' });
    }
    const port = props.port ?? rollout.stableService.ports[0]?.targetPort ?? rollout.stableService.ports[0]?.port;
    if (port === undefined) {
      throwViolation(this, { property: 'port', field: 'spec.endpoints[0].port', message: `the Service ${rollout.stableService.name} has no port to default to`, allowed: 'a port' });
    }
    this.port = port;
    const namespace = rollout.metadata.namespace;
    const labels = { ...rollout.selectorLabels, [METRICS_SERVICE_LABEL]: rollout.name };
    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: `${rollout.name}-metrics`, namespace, labels },
      clusterIP: 'None',
      ports: [{ name: portName, port, targetPort: port }],
    });
    for (const [key, value] of Object.entries(rollout.selectorLabels)) this.service.selectLabel(key, value);
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.serviceMonitor,
      metadata: { namespace, ...props.metadata },
      spec: {
        selector: { matchLabels: { [METRICS_SERVICE_LABEL]: rollout.name } },
        podTargetLabels: [POD_TEMPLATE_HASH_LABEL],
        endpoints: [{ port: portName, path, interval: promqlDuration(props.interval ?? Duration.seconds(30)) }],
      },
    });
    addRuleValidation(this, () => this.validate(rollout));
  }

  /** The scraped port must be a port of the rollout's containers. */
  private validate(rollout: IRollout): RuleViolation[] {
    const containers: any[] = ApiObject.of(rollout).toJson().spec?.template?.spec?.containers ?? [];
    const ports = containers.flatMap((c) => (c.ports ?? []).map((p: any) => p.containerPort));
    if (ports.includes(this.port)) return [];
    return [{ property: 'port', field: 'spec.endpoints[0].port', message: `port ${this.port} is not a container port of rollout ${rollout.name} (ports: ${ports.join(', ') || 'none'})`, allowed: ports.length ? ports.join(', ') : 'declare the port on a container' }];
  }
}
