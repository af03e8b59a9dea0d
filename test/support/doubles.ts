import { AnalysisArgument, IAnalysisTemplate, IRollout, ITrafficSplit, PodTemplateHash, TrafficSplitBinding, TrafficSplitTarget } from '../../src';

/** A traffic split that returns a fixed trafficRouting fragment and records what it was bound to. */
export class FixedTrafficSplit implements ITrafficSplit {
  public target?: TrafficSplitTarget;
  constructor(private readonly trafficRouting: any) {}
  public bind(target: TrafficSplitTarget): TrafficSplitBinding {
    this.target = target;
    return { trafficRouting: this.trafficRouting };
  }

  public routeToService(): void {
    throw new Error('a rollout-only test double');
  }

}

/** An analysis template double with declared args, metrics and a canary-hash argument it supplies itself. */
export class FakeTemplate implements IAnalysisTemplate {
  public readonly clusterScope = false;
  constructor(
    public readonly templateName: string,
    public readonly requiredArgs: string[] = [],
    public readonly metricNames: string[] = [templateName],
    public readonly indefiniteMetrics: string[] = [],
  ) {}
  public argumentsFor(_rollout: IRollout): AnalysisArgument[] {
    return [AnalysisArgument.podTemplateHash('canary-hash', PodTemplateHash.LATEST)];
  }
}
