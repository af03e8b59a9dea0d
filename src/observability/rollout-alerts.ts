import { ApiObject, ApiObjectMetadata, Chart, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { eq, selector } from './promql';
import { RolloutSelection } from './rollout-selection';
import { escapeString, isLabelName, promqlDuration, promqlSyntaxError } from '../analysis/promql';
import { API_KINDS } from '../synth/api-kinds';
import { pauseSeconds } from '../validation/rollout-rules';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** The `severity` label of an alert, which Alertmanager routes on. */
export enum AlertSeverity {
  /** Pages someone. */
  CRITICAL = 'critical',
  /** Needs attention during working hours. */
  WARNING = 'warning',
  /** For dashboards and digests. */
  INFO = 'info',
}

/** Options of one alert of `RolloutAlerts`. */
export interface RolloutAlertOptions {
  /**
   * Whether the rule is emitted.
   * @default true (`controllerDown`: only for `RolloutSelection.all()`, so per-team rules do not page N times)
   */
  readonly enabled?: boolean;
  /**
   * The `severity` label.
   * @default - per alert: critical for aborted, analysisFailed and controllerDown, warning otherwise
   */
  readonly severity?: AlertSeverity;
  /**
   * How long the condition must hold before the alert fires (the rule's `for`).
   * @default - per alert, see the README table
   */
  readonly pendingFor?: Duration;
}

/** Properties of `RolloutAlerts`. */
export interface RolloutAlertsProps {
  /**
   * Metadata of the PrometheusRule (add the labels your Prometheus `ruleSelector` requires here).
   * @default - a generated name, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * Which rollouts the alerts watch.
   * @default - every rollout in the chart's namespace (every rollout if the chart has none)
   */
  readonly rollouts?: RolloutSelection;
  /**
   * Labels added to every alert (e.g. `team`). `severity` is set per alert.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * A runbook link added to every alert as the `runbook_url` annotation.
   * @default - none
   */
  readonly runbookUrl?: string;
  /**
   * Name of the rule group.
   * @default 'argo-rollouts'
   */
  readonly groupName?: string;
  /**
   * The scrape job of the controller's metrics endpoint (the Service name, with a ServiceMonitor).
   * @default 'argo-rollouts-metrics'
   */
  readonly controllerJob?: string;
  /**
   * How long `analysisFailed` and `analysisInconclusive` keep firing after a metric's phase changed
   * (they are edge-triggered: a failed AnalysisRun stays in the cluster long after the rollback).
   * @default Duration.minutes(30)
   */
  readonly analysisAlertWindow?: Duration;
  /** The rollout was aborted (`rollout_info{phase="Abort"}`). @default - critical, 1m */
  readonly aborted?: RolloutAlertOptions;
  /** The rollout is degraded: aborted, progress deadline exceeded or invalid spec. @default - warning, 5m */
  readonly degraded?: RolloutAlertOptions;
  /** The rollout has been progressing (not paused, not done) for too long. @default - warning, 30m */
  readonly stalled?: RolloutAlertOptions;
  /**
   * The rollout has been paused for too long (a manual gate or an inconclusive analysis waits for a human).
   * @default - warning, 1h, or 15 minutes more than the rollout's longest timed pause (one-rollout scope)
   */
  readonly pausedTooLong?: RolloutAlertOptions;
  /** An analysis metric failed or errored (recently, see `analysisAlertWindow`). @default - critical, 0s */
  readonly analysisFailed?: RolloutAlertOptions;
  /** An analysis metric was inconclusive (recently): the rollout pauses for a human. @default - warning, 0s */
  readonly analysisInconclusive?: RolloutAlertOptions;
  /** Pods of the rollout are unavailable. @default - warning, 15m */
  readonly replicasUnavailable?: RolloutAlertOptions;
  /** The controller's metrics endpoint is down or missing (nothing else here can fire then). @default - critical, 5m */
  readonly controllerDown?: RolloutAlertOptions;
}

/** What one alert is, before options. */
interface AlertDefinition {
  readonly option: keyof RolloutAlertsProps;
  readonly alert: string;
  readonly severity: AlertSeverity;
  readonly pendingFor: Duration;
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
}

const ROLLOUT = '{{ $labels.namespace }}/{{ $labels.name }}';
const RUN = 'Metric {{ $labels.metric }} of AnalysisRun {{ $labels.namespace }}/{{ $labels.name }} (rollout {{ $labels.rollout }})';

/**
 * A PrometheusRule (prometheus-operator) with the alerts of a progressive release, on the Argo
 * Rollouts controller's own metrics: aborted, degraded, stalled, paused too long, analysis failed or
 * inconclusive, replicas unavailable, controller down. Every expression is checked with the
 * Prometheus grammar; label values are escaped.
 */
export class RolloutAlerts extends Construct {
  /** Which rollouts the alerts watch. */
  public readonly rollouts: RolloutSelection;
  /** The PrometheusRule. */
  public readonly apiObject: ApiObject;
  private readonly props: RolloutAlertsProps;

  constructor(scope: Construct, id: string, props: RolloutAlertsProps = {}) {
    super(scope, id);
    this.props = props;
    const namespace = Chart.of(this).namespace;
    this.rollouts = props.rollouts ?? (namespace ? RolloutSelection.inNamespace(namespace) : RolloutSelection.all());
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      if (value.includes('{{')) {
        throwViolation(this, { property: 'labels', field: `spec.groups[0].rules[].labels.${key}`, message: `"${value}": Prometheus expands {{ as a template in alert labels`, allowed: 'a label value without {{ (literal text)' });
      }
    }
    if (props.runbookUrl?.includes('{{')) {
      throwViolation(this, { property: 'runbookUrl', field: 'spec.groups[0].rules[].annotations.runbook_url', message: `"${props.runbookUrl}": Prometheus expands {{ as a template in annotations`, allowed: 'a URL without {{ (the library writes the templated parts itself)' });
    }
    for (const key of Object.keys(props.labels ?? {})) {
      if (!isLabelName(key) || key === 'severity' || key === 'alertname') {
        throwViolation(this, { property: 'labels', field: `spec.groups[0].rules[].labels.${key}`, message: `invalid alert label name "${key}"`, allowed: 'Prometheus label names ([a-zA-Z_][a-zA-Z0-9_]*, not __*), other than severity (set per alert) and alertname' });
      }
    }
    if (props.groupName !== undefined && props.groupName.trim() === '') {
      throwViolation(this, { property: 'groupName', field: 'spec.groups[0].name', message: 'Required value: empty rule group name', allowed: 'a non-empty name' });
    }
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.prometheusRule,
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => ({ groups: [this.renderGroup()] }) }),
    });
    addRuleValidation(this, () => this.validate());
  }

  /** The rendered rule group (`spec.groups[0]`), as a Prometheus rule file holds it. */
  public renderGroup(): any {
    return {
      name: this.props.groupName ?? 'argo-rollouts',
      rules: this.definitions().filter((d) => this.enabled(d)).map((d) => {
        const options = this.options(d);
        const pendingFor = options.pendingFor ?? d.pendingFor;
        return {
          alert: d.alert,
          expr: d.expr,
          for: pendingFor.toMilliseconds() > 0 ? promqlDuration(pendingFor) : undefined,
          labels: { ...this.props.labels, severity: options.severity ?? d.severity },
          annotations: {
            summary: d.summary,
            description: d.description,
            ...(this.props.runbookUrl ? { runbook_url: this.props.runbookUrl } : {}),
          },
        };
      }),
    };
  }

  private options(d: AlertDefinition): RolloutAlertOptions {
    return (this.props[d.option] as RolloutAlertOptions | undefined) ?? {};
  }

  private enabled(d: AlertDefinition): boolean {
    return this.options(d).enabled ?? (d.option !== 'controllerDown' || (this.rollouts.namespace === undefined && this.rollouts.rollout === undefined));
  }

  private definitions(): AlertDefinition[] {
    const info = (matchers: string[]) => selector([...this.rollouts._rolloutMatchers(), ...matchers]);
    const phase = (p: string) => `max by (namespace, name) (rollout_info${info([`phase=${p}`])}) == 1`;
    const window = promqlDuration(this.props.analysisAlertWindow ?? Duration.minutes(30));
    const recentMetricPhase = (phases: string) => {
      const metric = (offset: string) => `max by (namespace, name, metric, phase) (analysis_run_metric_phase${selector([...this.rollouts._analysisRunMatchers(), `phase=~"${phases}"`, 'dry_run="false"'])}${offset})`;
      const recent = `(${metric('')} == 1) unless (${metric(` offset ${window}`)} == 1)`;
      return `label_replace(${recent}, "rollout", "$1", "name", "${escapeString(this.rollouts._analysisRunName())}")`;
    };
    const longestPause = this.longestTimedPause();
    return [
      {
        option: 'aborted',
        alert: 'RolloutAborted',
        severity: AlertSeverity.CRITICAL,
        pendingFor: Duration.minutes(1),
        expr: phase('"Abort"'),
        summary: `Rollout ${ROLLOUT} was aborted`,
        description: `The update of ${ROLLOUT} was aborted (failed analysis, progress deadline or a manual abort) and traffic went back to the stable version. Fix and retry: kubectl argo rollouts retry rollout {{ $labels.name }} -n {{ $labels.namespace }}.`,
      },
      {
        option: 'degraded',
        alert: 'RolloutDegraded',
        severity: AlertSeverity.WARNING,
        pendingFor: Duration.minutes(5),
        expr: phase('~"Abort|Timeout|InvalidSpec"'),
        summary: `Rollout ${ROLLOUT} is degraded`,
        description: `${ROLLOUT} is aborted, exceeded its progress deadline or has an invalid spec (rollout_info phase Abort, Timeout or InvalidSpec).`,
      },
      {
        option: 'stalled',
        alert: 'RolloutStalled',
        severity: AlertSeverity.WARNING,
        pendingFor: Duration.minutes(30),
        expr: phase('"Progressing"'),
        summary: `Rollout ${ROLLOUT} is not making progress`,
        description: `${ROLLOUT} has been progressing, neither paused nor complete, for too long.`,
      },
      {
        option: 'pausedTooLong',
        alert: 'RolloutPausedTooLong',
        severity: AlertSeverity.WARNING,
        pendingFor: longestPause === undefined ? Duration.hours(1) : Duration.seconds(Math.max(3600, longestPause.seconds + 900)),
        expr: phase('"Paused"'),
        summary: `Rollout ${ROLLOUT} has been paused for too long`,
        description: `${ROLLOUT} waits for a promotion (manual gate or inconclusive analysis): kubectl argo rollouts promote {{ $labels.name }} -n {{ $labels.namespace }}, or abort it.`,
      },
      {
        option: 'analysisFailed',
        alert: 'RolloutAnalysisFailed',
        severity: AlertSeverity.CRITICAL,
        pendingFor: Duration.seconds(0),
        expr: recentMetricPhase('Failed|Error'),
        summary: `${RUN} is {{ $labels.phase }}`,
        description: `${RUN} is {{ $labels.phase }}; the rollout aborts the update.`,
      },
      {
        option: 'analysisInconclusive',
        alert: 'RolloutAnalysisInconclusive',
        severity: AlertSeverity.WARNING,
        pendingFor: Duration.seconds(0),
        expr: recentMetricPhase('Inconclusive'),
        summary: `${RUN} is inconclusive`,
        description: `${RUN} is inconclusive; the rollout is paused until someone promotes or aborts it.`,
      },
      {
        option: 'replicasUnavailable',
        alert: 'RolloutReplicasUnavailable',
        severity: AlertSeverity.WARNING,
        pendingFor: Duration.minutes(15),
        expr: `max by (namespace, name) (rollout_info_replicas_unavailable${info([])}) > 0`,
        summary: `Rollout ${ROLLOUT} has unavailable replicas`,
        description: `{{ $value }} pods of ${ROLLOUT} are unavailable.`,
      },
      {
        option: 'controllerDown',
        alert: 'ArgoRolloutsControllerDown',
        severity: AlertSeverity.CRITICAL,
        pendingFor: Duration.minutes(5),
        expr: `absent(up${selector([eq('job', this.props.controllerJob ?? 'argo-rollouts-metrics')])} == 1)`,
        summary: 'The Argo Rollouts controller is down',
        description: 'No Argo Rollouts controller metrics endpoint is up: rollouts do not progress and no other rollout alert can fire.',
      },
    ];
  }

  /** The longest timed pause of the scoped rollout (canary pause steps, blue-green auto-promotion). */
  private longestTimedPause(): { seconds: number; where: string } | undefined {
    const rollout = this.rollouts.rollout;
    if (!rollout) return undefined;
    const spec = ApiObject.of(rollout).toJson().spec ?? {};
    const pauses: Array<{ seconds: number; where: string }> = [];
    (spec.strategy?.canary?.steps ?? []).forEach((step: any, i: number) => {
      if (step.pause?.duration !== undefined) pauses.push({ seconds: pauseSeconds(step.pause.duration), where: `spec.strategy.canary.steps[${i}].pause` });
    });
    const autoPromotion = spec.strategy?.blueGreen?.autoPromotionSeconds;
    if (autoPromotion !== undefined) pauses.push({ seconds: autoPromotion, where: 'spec.strategy.blueGreen.autoPromotionSeconds' });
    return pauses.reduce<{ seconds: number; where: string } | undefined>((max, p) => (max && max.seconds >= p.seconds ? max : p), undefined);
  }

  private validate(): RuleViolation[] {
    const violations: RuleViolation[] = [];
    for (const d of this.definitions()) {
      const error = promqlSyntaxError(d.expr);
      if (error) violations.push({ property: d.option, field: `spec.groups[0].rules[${d.alert}].expr`, message: error, allowed: 'a valid PromQL expression' });
    }
    const paused = this.props.pausedTooLong?.pendingFor;
    const longest = this.longestTimedPause();
    if (paused && longest && paused.toSeconds() <= longest.seconds) {
      violations.push({ property: 'pausedTooLong.pendingFor', field: 'spec.groups[0].rules[RolloutPausedTooLong].for', message: `${promqlDuration(paused)} would fire during every release: ${this.rollouts.description} pauses ${longest.seconds}s at ${longest.where}`, allowed: `a duration longer than ${longest.seconds}s` });
    }
    return violations;
  }
}
