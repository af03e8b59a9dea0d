import { PrometheusClient, QueryError } from './prometheus-client';
import { matcherText, PromqlNode, PromqlQuery, Selector, selectorText } from './promql-tree';

const SUFFIXES = ['_bucket', '_count', '_sum', '_total'];
const MAX_VALUES = 10;

/**
 * Why a query finds no series, found by asking Prometheus about its parts: the operand of a binary
 * expression that is empty (or that both sides have data and no series match), the range that holds
 * too few samples, the first label matcher that empties a selector and the values that label has, or
 * that the metric does not exist at all (under any of its histogram / counter names).
 */
export async function diagnoseNoData(query: string, client: PrometheusClient): Promise<string> {
  const parsed = PromqlQuery.parse(query);
  return (await new Diagnosis(parsed, client).empty(parsed.root)).join('; ');
}

class Diagnosis {
  constructor(private readonly q: PromqlQuery, private readonly client: PrometheusClient) {}

  /** Why `node`, known to be empty, is empty. */
  public async empty(node: PromqlNode): Promise<string[]> {
    if (node.type === 'VectorSelector') return this.selector(this.q.selector(node));
    if (node.type === 'MatrixSelector') return this.selector(this.q.selector(node.children[0]));
    const operands = this.q.operands(node).filter((o) => o.type !== 'NumberDurationLiteral' && o.type !== 'StringLiteral');
    if (node.type === 'BinaryExpr' && operands.length === 2) {
      const counts = await Promise.all(operands.map((o) => this.count(this.q.textOf(o))));
      const empty = operands.filter((_, i) => counts[i] === 0);
      if (empty.length === 0) return [await this.unmatched(node, operands)];
      return (await Promise.all(empty.map((o) => this.empty(o)))).flat();
    }
    for (const operand of operands) {
      const inner = operand.type === 'MatrixSelector' || operand.type === 'SubqueryExpr' ? operand.children[0] : operand;
      if (await this.count(this.q.textOf(inner)) === 0) return this.empty(inner);
    }
    const range = operands.find((o) => o.type === 'MatrixSelector');
    if (range) {
      const selector = this.q.textOf(range.children[0]);
      const window = this.q.textOf(range).slice(selector.length);
      return [`${short(this.q.textOf(node))} is empty although ${short(selector)} has series: the range ${window} holds fewer than two samples of them (scrape interval longer than half the range?)`];
    }
    if (node.type === 'BinaryExpr') return [`${short(this.q.textOf(node))} is empty although ${short(this.q.textOf(operands[0]))} has data: the comparison drops every series`];
    return [`${short(this.q.textOf(node))} is empty although its arguments have data`];
  }

  private async selector(s: Selector): Promise<string[]> {
    if (s.metric !== undefined && await this.count(s.metric) === 0) return [await this.missingMetric(s.metric)];
    for (let k = 1; k <= s.matchers.length; k++) {
      if (await this.count(selectorText(s.metric, s.matchers.slice(0, k))) > 0) continue;
      const m = s.matchers[k - 1];
      if (s.metric === undefined && k === 1) return [`no series has ${matcherText(m.label, m.op, m.value)}`];
      const among = selectorText(s.metric, s.matchers.slice(0, k - 1));
      const result = await this.client.query(`count by (${m.label}) (${among})`);
      const values = [...new Set(result.samples.map((x) => x.labels[m.label] ?? ''))].sort();
      const what = s.metric ?? selectorText(undefined, s.matchers.slice(0, k - 1));
      const context = k > 1 ? ` among those with ${s.matchers.slice(0, k - 1).map((x) => matcherText(x.label, x.op, x.value)).join(',')}` : '';
      const has = values.length === 0 || (values.length === 1 && values[0] === '')
        ? `they have no ${m.label} label`
        : `it has ${m.label} in {${values.slice(0, MAX_VALUES).map((v) => v === '' ? '""' : v).join(', ')}${values.length > MAX_VALUES ? `, … ${values.length - MAX_VALUES} more` : ''}}`;
      return [`no series of ${what} has ${matcherText(m.label, m.op, m.value)}${context}; ${has}`];
    }
    const stale = s.metric !== undefined;
    return [stale ? `${short(selectorText(s.metric, s.matchers))} has no sample in the last 5 minutes` : 'no series'];
  }

  /** A metric without series: under another suffix, stale, or absent (its exporter or ServiceMonitor missing). */
  private async missingMetric(metric: string): Promise<string> {
    const suffix = SUFFIXES.find((x) => metric.endsWith(x));
    const stem = suffix ? metric.slice(0, -suffix.length) : metric;
    const candidates = [stem, ...SUFFIXES.map((x) => stem + x)].filter((c) => c !== metric);
    const counts = await Promise.all(candidates.map((c) => this.count(c)));
    const found = candidates.filter((_, i) => counts[i] > 0);
    if (found.length > 0) {
      const summary = suffix === '_bucket' && found.includes(`${stem}_count`) && !found.includes(stem) ? ' (a summary or a histogram without buckets?)' : '';
      return `metric ${metric} does not exist, but ${found.join(', ')} do${summary}`;
    }
    if (await this.count(`last_over_time(${metric}[1h])`) > 0) {
      return `metric ${metric} has no sample in the last 5 minutes (it had some within the hour): its target is down or no longer scraped`;
    }
    return `metric ${metric} does not exist in this Prometheus: its exporter or ServiceMonitor is missing, or it has another name`;
  }

  /** Both operands of a binary expression have data, but their series do not match. */
  private async unmatched(node: PromqlNode, operands: PromqlNode[]): Promise<string> {
    const [left, right] = await Promise.all(operands.map((o) => this.client.query(this.q.textOf(o))));
    const labels = (r: typeof left) => `{${Object.entries(r.samples[0]?.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
    const modifier = node.children.find((c) => c.type === 'MatchingModifierClause');
    return `both sides of ${short(this.q.textOf(node))} have data but no series match${modifier ? ` ${this.q.textOf(modifier)}` : ''}: left ${labels(left)}, right ${labels(right)}`;
  }

  /** Whether an expression has series now (1) or not (0); one Prometheus rejects counting (a scalar) counts as data. */
  private async count(expr: string): Promise<number> {
    try {
      return (await this.client.query(`count(${expr})`)).samples.length;
    } catch (e) {
      if (e instanceof QueryError) return 1;
      throw e;
    }
  }
}

function short(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
