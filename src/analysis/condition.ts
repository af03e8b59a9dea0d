/**
 * The subset of Argo Rollouts' condition language (expr-lang) that analysis conditions are written
 * in here, with an evaluator that follows the controller's semantics, so tests can compute the
 * outcome of a measurement from a query result.
 *
 * Subset: number and string literals, `result`, `result[<int>]`, `len(result)`, `isNaN(<number>)`,
 * `< <= > >= == !=`, `&&`/`and`, `||`/`or`, `!`/`not`, unary `-`, parentheses. Like the controller,
 * `result[i]` past the end is an evaluation error, comparisons with NaN are false, `&&`/`||`
 * short-circuit, and the condition must be a boolean.
 */

/** What a provider returns as `result`: a Prometheus instant vector, or a web provider value. */
export enum ResultType {
  /** An array of numbers (Prometheus instant or range query). */
  VECTOR = 'vector',
  /** A number, a string, or anything a web provider's JSONPath selects. */
  VALUE = 'value',
}

/** The outcome of one measurement (`AnalysisPhase`). */
export enum MeasurementPhase {
  SUCCESSFUL = 'Successful',
  FAILED = 'Failed',
  INCONCLUSIVE = 'Inconclusive',
  ERROR = 'Error',
}

type Type = 'number' | 'bool' | 'string' | 'vector' | 'any';
type Node =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'result' }
  | { kind: 'index'; index: number }
  | { kind: 'len' }
  | { kind: 'isNaN'; arg: Node }
  | { kind: 'not' | 'neg'; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(&&|\|\||<=|>=|==|!=|[<>!()[\]-])|([A-Za-z_]\w*))/y;

const OUTSIDE = 'is outside the supported condition subset (result, result[i], len(result), isNaN(), numbers, strings, comparisons, &&, ||, !)';

/** What the subset holds, for error messages. */
export const CONDITION_SUBSET = 'result, result[i], len(result), isNaN(), numbers, strings, comparisons, &&, ||, !';

/** A condition outside the subset. */
class ConditionSyntaxError extends Error {}

/** Parses a condition and checks its types against the provider's result type; throws `ConditionSyntaxError`. */
export function parseCondition(text: string, resultType: ResultType): void {
  const node = new Parser(text).parse();
  const type = typeOf(node, resultType);
  if (type !== 'bool' && type !== 'any') throw new ConditionSyntaxError(`expected bool, but got ${type}`);
}

/** The error of a condition outside the subset, or undefined. */
export function conditionError(text: string, resultType: ResultType): string | undefined {
  try {
    parseCondition(text, resultType);
    return undefined;
  } catch (e: any) {
    if (e instanceof ConditionSyntaxError) return e.message;
    throw e;
  }
}

/**
 * The phase of one measurement, as the controller's `EvaluateResult` computes it: failure wins;
 * with only a success condition, not successful is failed; with only a failure condition, not
 * failed is successful; both set and neither true is inconclusive; an evaluation error is an error.
 */
export function measurementPhase(result: any, successCondition?: string, failureCondition?: string): MeasurementPhase {
  let success = false;
  let failure = false;
  try {
    if (successCondition) success = evaluateCondition(successCondition, result);
    if (failureCondition) failure = evaluateCondition(failureCondition, result);
  } catch (e) {
    if (e instanceof EvaluationError) return MeasurementPhase.ERROR;
    throw e;
  }
  if (!successCondition && !failureCondition) return MeasurementPhase.SUCCESSFUL;
  if (successCondition && !failureCondition) failure = !success;
  if (!successCondition && failureCondition) success = !failure;
  if (failure) return MeasurementPhase.FAILED;
  return success ? MeasurementPhase.SUCCESSFUL : MeasurementPhase.INCONCLUSIVE;
}

/** An error the controller reports while evaluating (index out of range, wrong operand types). */
class EvaluationError extends Error {}

/** Evaluates a condition against a result; throws `EvaluationError` where the controller's evaluation fails. */
export function evaluateCondition(text: string, result: any): boolean {
  const value = evaluate(new Parser(text).parse(), result);
  if (typeof value !== 'boolean') throw new EvaluationError(`expected bool, but got ${typeof value}`);
  return value;
}

class Parser {
  private readonly tokens: string[] = [];
  private pos = 0;

  constructor(private readonly text: string) {
    TOKEN.lastIndex = 0;
    let at = 0;
    while (at < text.length && text.slice(at).trim() !== '') {
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(text);
      if (!m) throw new ConditionSyntaxError(`"${text.slice(at).trim()[0]}" at ${at + 1} ${OUTSIDE} in "${text}"`);
      this.tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
      at = TOKEN.lastIndex;
    }
  }

  public parse(): Node {
    if (this.tokens.length === 0) throw new ConditionSyntaxError('empty condition');
    const node = this.or();
    if (this.pos < this.tokens.length) throw this.unexpected();
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.accept('||', 'or')) left = { kind: 'binary', op: '||', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.comparison();
    while (this.accept('&&', 'and')) left = { kind: 'binary', op: '&&', left, right: this.comparison() };
    return left;
  }

  private comparison(): Node {
    const left = this.unary();
    const op = this.accept('<', '<=', '>', '>=', '==', '!=');
    return op ? { kind: 'binary', op, left, right: this.unary() } : left;
  }

  private unary(): Node {
    if (this.accept('!', 'not')) return { kind: 'not', arg: this.unary() };
    if (this.accept('-')) return { kind: 'neg', arg: this.unary() };
    return this.primary();
  }

  private primary(): Node {
    const token = this.tokens[this.pos++];
    if (token === undefined) throw new ConditionSyntaxError(`unexpected end of "${this.text}"`);
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^["']/.test(token)) return { kind: 'string', value: token.slice(1, -1).replace(/\\(.)/g, '$1') };
    if (token === '(') {
      const node = this.or();
      this.expect(')');
      return node;
    }
    if (token === 'result') {
      if (!this.accept('[')) return { kind: 'result' };
      const index = this.tokens[this.pos++];
      if (!/^\d+$/.test(index ?? '')) throw new ConditionSyntaxError(`only constant integer indexes are supported: result[${index}]`);
      this.expect(']');
      return { kind: 'index', index: Number(index) };
    }
    if (token === 'len') {
      this.expect('(');
      this.expect('result');
      this.expect(')');
      return { kind: 'len' };
    }
    if (token === 'isNaN') {
      this.expect('(');
      const arg = this.or();
      this.expect(')');
      return { kind: 'isNaN', arg };
    }
    this.pos--;
    throw this.unexpected();
  }

  private accept(...options: string[]): string | undefined {
    const token = this.tokens[this.pos];
    if (token !== undefined && options.includes(token)) {
      this.pos++;
      return token;
    }
    return undefined;
  }

  private expect(token: string): void {
    if (!this.accept(token)) throw this.unexpected();
  }

  private unexpected(): ConditionSyntaxError {
    const token = this.tokens[this.pos];
    return new ConditionSyntaxError(token === undefined
      ? `unexpected end of "${this.text}"`
      : `"${token}" ${OUTSIDE} in "${this.text}"`);
  }
}

function typeOf(node: Node, resultType: ResultType): Type {
  const any = resultType === ResultType.VALUE;
  switch (node.kind) {
    case 'number': return 'number';
    case 'string': return 'string';
    case 'result': return any ? 'any' : 'vector';
    case 'index': return any ? 'any' : 'number';
    case 'len': return 'number';
    case 'isNaN': return expectType(typeOf(node.arg, resultType), 'number', 'isNaN'), 'bool';
    case 'neg': return expectType(typeOf(node.arg, resultType), 'number', '-'), 'number';
    case 'not': return expectType(typeOf(node.arg, resultType), 'bool', '!'), 'bool';
    case 'binary': {
      const left = typeOf(node.left, resultType);
      const right = typeOf(node.right, resultType);
      if (node.op === '&&' || node.op === '||') {
        expectType(left, 'bool', node.op);
        expectType(right, 'bool', node.op);
      } else if (node.op === '==' || node.op === '!=') {
        if (left !== 'any' && right !== 'any' && left !== right) throw new ConditionSyntaxError(`invalid operation: ${left} ${node.op} ${right}`);
        if (left === 'vector' || right === 'vector') throw new ConditionSyntaxError(`invalid operation: vector ${node.op} (use result[0])`);
      } else {
        expectType(left, 'number', node.op);
        expectType(right, 'number', node.op);
      }
      return 'bool';
    }
  }
}

function expectType(actual: Type, expected: Type, op: string): void {
  if (actual !== expected && actual !== 'any') {
    throw new ConditionSyntaxError(`invalid operation: ${op} needs ${expected}, got ${actual}${actual === 'vector' ? ' (use result[0])' : ''}`);
  }
}

function evaluate(node: Node, result: any): any {
  switch (node.kind) {
    case 'number':
    case 'string':
      return node.value;
    case 'result':
      return result;
    case 'index':
      if (!Array.isArray(result)) throw new EvaluationError(`cannot index ${typeof result}`);
      if (node.index >= result.length) throw new EvaluationError(`index out of range: ${node.index} (array length is ${result.length})`);
      return result[node.index];
    case 'len':
      if (!Array.isArray(result) && typeof result !== 'string') throw new EvaluationError(`invalid argument for len (type ${typeof result})`);
      return result.length;
    case 'isNaN':
      return Number.isNaN(number(evaluate(node.arg, result), 'isNaN'));
    case 'neg':
      return -number(evaluate(node.arg, result), '-');
    case 'not':
      return !bool(evaluate(node.arg, result), '!');
    case 'binary': {
      const left = evaluate(node.left, result);
      if (node.op === '&&') return bool(left, '&&') && bool(evaluate(node.right, result), '&&');
      if (node.op === '||') return bool(left, '||') || bool(evaluate(node.right, result), '||');
      const right = evaluate(node.right, result);
      if (node.op === '==') return left === right;
      if (node.op === '!=') return left !== right;
      const [a, b] = [number(left, node.op), number(right, node.op)];
      switch (node.op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        default: return a >= b;
      }
    }
  }
}

function number(value: any, op: string): number {
  if (typeof value !== 'number') throw new EvaluationError(`invalid operation: ${op} on ${typeof value}`);
  return value;
}

function bool(value: any, op: string): boolean {
  if (typeof value !== 'boolean') throw new EvaluationError(`invalid operation: ${op} on ${typeof value}`);
  return value;
}
