import { escapeString } from '../analysis/promql';
import { promqlParser } from '../vendor-load';

/** A node of a PromQL syntax tree (the Prometheus grammar's node names), with its text range. */
export interface PromqlNode {
  readonly type: string;
  readonly from: number;
  readonly to: number;
  readonly children: PromqlNode[];
}

/** A label matcher of a vector selector. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
  /** Range of the whole matcher (`label="value"`). */
  readonly from: number;
  readonly to: number;
}

/** A vector selector (`name{matchers}`), with the range around it when it is inside a matrix selector. */
export interface Selector {
  readonly from: number;
  readonly to: number;
  /** The metric name: the identifier or a `__name__="..."` matcher, or undefined. */
  readonly metric?: string;
  /** The label matchers, `__name__` excluded. */
  readonly matchers: LabelMatcher[];
}

/** Node types that are expressions (what a query or one operand of a binary expression can be). */
const EXPRESSIONS = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral',
  'OffsetExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr']);

/** A parsed query. */
export class PromqlQuery {
  /** Parses a query; throws with the offset of the first syntax error. */
  public static parse(text: string): PromqlQuery {
    const cursor = promqlParser().parse(text).cursor();
    let error: number | undefined;
    const build = (): PromqlNode => {
      if (cursor.type.isError && error === undefined) error = cursor.from;
      const node = { type: cursor.name, from: cursor.from, to: cursor.to, children: [] as PromqlNode[] };
      if (cursor.firstChild()) {
        do node.children.push(build()); while (cursor.nextSibling());
        cursor.parent();
      }
      return node;
    };
    const root = build();
    if (error !== undefined) throw new Error(`PromQL syntax error at character ${error + 1} of ${text}`);
    return new PromqlQuery(text, root.children[0] ?? root);
  }

  private constructor(public readonly text: string, public readonly root: PromqlNode) {}

  /** The text of a node. */
  public textOf(node: PromqlNode): string {
    return this.text.slice(node.from, node.to);
  }

  /** Every vector selector, in order. */
  public selectors(node: PromqlNode = this.root): Selector[] {
    if (node.type === 'VectorSelector') return [this.selector(node)];
    return node.children.flatMap((c) => this.selectors(c));
  }

  /** The vector selector of a `VectorSelector` node. */
  public selector(node: PromqlNode): Selector {
    const identifier = node.children.find((c) => c.type === 'Identifier');
    const all = (node.children.find((c) => c.type === 'LabelMatchers')?.children ?? [])
      .filter((c) => c.type.endsWith('LabelMatcher'))
      .map((m) => this.matcher(m));
    const byName = all.find((m) => m.label === '__name__' && m.op === '=');
    return {
      from: node.from,
      to: node.to,
      metric: identifier ? this.textOf(identifier) : byName?.value,
      matchers: all.filter((m) => m.label !== '__name__'),
    };
  }

  /** The expression children of a node (both operands of a binary expression, a function's arguments...). */
  public operands(node: PromqlNode): PromqlNode[] {
    return node.children.flatMap((c) => EXPRESSIONS.has(c.type) ? [c] : c.type === 'FunctionCallBody' ? this.operands(c) : []);
  }

  /** The text with `edits` (non-overlapping ranges) replaced. */
  public edit(edits: { from: number; to: number; text: string }[]): string {
    let text = this.text;
    for (const e of [...edits].sort((a, b) => b.from - a.from)) text = text.slice(0, e.from) + e.text + text.slice(e.to);
    return text;
  }

  private matcher(node: PromqlNode): LabelMatcher {
    const name = node.children.find((c) => c.type === 'LabelName' || c.type === 'QuotedLabelName');
    const op = node.children.find((c) => c.type === 'MatchOp');
    const value = node.children.find((c) => c.type === 'StringLiteral');
    const label = name ? (name.type === 'QuotedLabelName' ? unquote(this.textOf(name)) : this.textOf(name)) : '__name__';
    return {
      label,
      op: op ? this.textOf(op) : '=',
      value: unquote(this.textOf(value ?? name!)),
      from: node.from,
      to: node.to,
    };
  }
}

/** A matcher as PromQL text. */
export function matcherText(label: string, op: string, value: string): string {
  return `${label}${op}"${escapeString(value)}"`;
}

/** A selector as PromQL text, with other matchers. */
export function selectorText(metric: string | undefined, matchers: { label: string; op: string; value: string }[]): string {
  const inner = matchers.map((m) => matcherText(m.label, m.op, m.value)).join(',');
  if (metric === undefined) return `{${inner}}`;
  return matchers.length === 0 ? metric : `${metric}{${inner}}`;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** The value of a PromQL string literal (double, single or back-quoted). */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
    return ESCAPES[e] ?? e;
  });
}
