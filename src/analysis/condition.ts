/**
 * The part of Argo Rollouts' condition language (expr-lang/expr v1.15, as `utils/evaluate` compiles
 * it) that analysis conditions are written in, with a type check against the provider's result and
 * an evaluator that follows the controller's semantics, so the library (tests, plans, preflight) can
 * compute the outcome of a measurement from a result.
 *
 * Subset: number (`1`, `0.5`, `.5`, `1e3`), string, `true`/`false`/`nil` literals and array
 * literals; `result`, member access (`result.major`, `result?.a`, `result['a']`), indexes
 * (`result[0]`, `result[-1]`); `+ - * / % **`; `< <= > >= == !=` (numbers or strings);
 * `in`, `not in`, `contains`, `startsWith`, `endsWith`, `matches`; `&&`/`and`, `||`/`or`,
 * `!`/`not`; `c ? a : b`; expr's builtins `len`, `all`, `any`, `none`, `one`, `filter`, `map`,
 * `count` (predicates `{# > 0}` or `# > 0`, `.field` for `#.field`), `abs`, `int`, `float`,
 * `string`, `lower`, `upper`, `trim`, `max`, `min`; and the controller's `isNaN`, `isInf`,
 * `asInt`, `asFloat`, `isNil(_)` and `default(_, d)` (both test the whole result, whatever their
 * first argument, as the controller's do). Like the controller, an index past the end and a field
 * of nil are evaluation errors, comparisons with NaN are false, `&&`/`||` short-circuit, and the
 * condition must be a boolean.
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

/** What the subset holds, for error messages. */
export const CONDITION_SUBSET = 'expr-lang conditions on result: literals, result.field, result[i], arithmetic, comparisons, &&, ||, !, in, matches, c ? a : b, len(), all(), any(), isNaN(), isInf(), asInt(), asFloat(), isNil(), default()';

/** A condition outside the subset. */
class ConditionSyntaxError extends Error {}

/** Static types as expr's checker sees them: `number` is float64, `int` an integer, `map` a JSON object. */
type Type = 'number' | 'int' | 'bool' | 'string' | 'nil' | 'vector' | 'array' | 'map' | 'any';
type Node =
  | { kind: 'literal'; value: any; int?: boolean }
  | { kind: 'array'; items: Node[] }
  | { kind: 'result' }
  | { kind: 'element' }
  | { kind: 'member'; object: Node; key: Node; optional: boolean }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node };

const TOKEN = /\s*(?:(\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(\?\.|&&|\|\||<=|>=|==|!=|\*\*|[<>!()[\]{}.,?:#+\-*/%^])|([A-Za-z_$][\w$]*))/y;

/** Binary operators by precedence (expr's table), loosest first. */
const BINARY: Array<{ ops: string[]; right?: boolean }> = [
  { ops: ['||', 'or'] },
  { ops: ['&&', 'and'] },
  { ops: ['==', '!=', '<', '>', '<=', '>=', 'in', 'not in', 'matches', 'contains', 'startsWith', 'endsWith'] },
  { ops: ['+', '-'] },
  { ops: ['*', '/', '%'] },
  { ops: ['**', '^'], right: true },
];

/** Builtins and controller functions: name → arity. */
const FUNCTIONS: Record<string, number> = {
  len: 1,
  abs: 1,
  int: 1,
  float: 1,
  string: 1,
  lower: 1,
  upper: 1,
  trim: 1,
  max: -1,
  min: -1,
  all: 2,
  any: 2,
  none: 2,
  one: 2,
  filter: 2,
  map: 2,
  count: 2,
  isNaN: 1,
  isInf: 1,
  asInt: 1,
  asFloat: 1,
  isNil: 1,
  default: 2,
};
const PREDICATES = new Set(['all', 'any', 'none', 'one', 'filter', 'map', 'count']);

const OUTSIDE = `is outside the supported condition subset (${CONDITION_SUBSET})`;

/** Parses a condition and checks its types against the provider's result type; throws `ConditionSyntaxError`. */
export function parseCondition(text: string, resultType: ResultType): void {
  const node = new Parser(text).parse();
  const type = new TypeChecker(resultType === ResultType.VECTOR ? 'vector' : 'any').check(node, 'any');
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
  const node = new Parser(text).parse();
  // the controller compiles the condition against the result it got: its type decides what compiles
  try {
    new TypeChecker(valueType(result)).check(node, 'any');
  } catch (e) {
    if (e instanceof ConditionSyntaxError) throw new EvaluationError(e.message);
    throw e;
  }
  const value = new Evaluator(result).evaluate(node, undefined);
  if (typeof value !== 'boolean') throw new EvaluationError(`expected bool, but got ${goType(value)}`);
  return value;
}

class Parser {
  private readonly tokens: string[] = [];
  private pos = 0;
  private predicateDepth = 0;

  constructor(private readonly text: string) {
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
    const node = this.expression();
    if (this.pos < this.tokens.length) throw this.unexpected();
    return node;
  }

  private expression(): Node {
    const test = this.binary(0);
    if (!this.accept('?')) return test;
    const then = this.expression();
    this.expect(':');
    return { kind: 'conditional', test, then, otherwise: this.expression() };
  }

  private binary(level: number): Node {
    if (level === BINARY.length) return this.unary();
    const { ops, right } = BINARY[level];
    let left = this.binary(level + 1);
    for (;;) {
      let op = this.accept(...ops.filter((o) => o !== 'not in'));
      if (!op && ops.includes('not in') && this.tokens[this.pos] === 'not' && this.tokens[this.pos + 1] === 'in') {
        this.pos += 2;
        op = 'not in';
      }
      if (!op) return left;
      const rhs = right ? this.binary(level) : this.binary(level + 1);
      left = { kind: 'binary', op: op === 'and' ? '&&' : op === 'or' ? '||' : op === '^' ? '**' : op, left, right: rhs };
      if (right) return left;
    }
  }

  private unary(): Node {
    if (this.accept('!', 'not')) return { kind: 'unary', op: '!', arg: this.binary(4) };
    const sign = this.accept('-', '+');
    if (sign) return { kind: 'unary', op: sign, arg: this.binary(5) };
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const op = this.accept('.', '?.', '[');
      if (!op) return node;
      if (op === '[') {
        const key = this.expression();
        this.expect(']');
        node = { kind: 'member', object: node, key, optional: false };
      } else {
        const name = this.tokens[this.pos++];
        if (!/^[A-Za-z_$]/.test(name ?? '')) throw this.unexpected(-1);
        node = { kind: 'member', object: node, key: { kind: 'literal', value: name }, optional: op === '?.' };
      }
    }
  }

  private primary(): Node {
    const token = this.tokens[this.pos++];
    if (token === undefined) throw new ConditionSyntaxError(`unexpected end of "${this.text}"`);
    if (/^[\d.]/.test(token) && token !== '.') return { kind: 'literal', value: Number(token.replace(/_/g, '')), int: /^[\d_]+$/.test(token) };
    if (/^["']/.test(token)) return { kind: 'literal', value: unquote(token) };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (token === 'nil') return { kind: 'literal', value: null };
    if (token === 'result') return { kind: 'result' };
    if (token === '(') {
      const node = this.expression();
      this.expect(')');
      return node;
    }
    if (token === '[') {
      const items: Node[] = [];
      while (!this.accept(']')) {
        items.push(this.expression());
        if (!this.accept(',')) {
          this.expect(']');
          break;
        }
      }
      return { kind: 'array', items };
    }
    if (token === '#' && this.predicateDepth > 0) return { kind: 'element' };
    if (token === '.' && this.predicateDepth > 0) {
      const name = this.tokens[this.pos++];
      if (!/^[A-Za-z_$]/.test(name ?? '')) throw this.unexpected(-1);
      return { kind: 'member', object: { kind: 'element' }, key: { kind: 'literal', value: name }, optional: false };
    }
    if (token in FUNCTIONS && this.tokens[this.pos] === '(') return this.call(token);
    this.pos--;
    throw this.unexpected();
  }

  private call(name: string): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.accept(')')) {
      do {
        if (PREDICATES.has(name) && args.length === 1) args.push(this.predicate());
        else args.push(this.expression());
      } while (this.accept(','));
      this.expect(')');
    }
    const arity = FUNCTIONS[name];
    if (arity >= 0 ? args.length !== arity : args.length === 0) {
      throw new ConditionSyntaxError(`${name}() takes ${arity >= 0 ? arity : 'at least one'} argument${arity === 1 ? '' : 's'}, got ${args.length} in "${this.text}"`);
    }
    return { kind: 'call', name, args };
  }

  private predicate(): Node {
    this.predicateDepth++;
    const braces = this.accept('{');
    const node = this.expression();
    if (braces) this.expect('}');
    this.predicateDepth--;
    return node;
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

  private unexpected(offset = 0): ConditionSyntaxError {
    const token = this.tokens[this.pos + offset];
    return new ConditionSyntaxError(token === undefined
      ? `unexpected end of "${this.text}"`
      : `"${token}" ${OUTSIDE} in "${this.text}"`);
  }
}

function unquote(token: string): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', 0: '\0' };
  return token.slice(1, -1).replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c);
}

/** Static types, as expr's checker derives them from the environment (a Prometheus result is `[]float64`). */
class TypeChecker {
  constructor(private readonly resultType: Type) {}

  public check(node: Node, element: Type): Type {
    switch (node.kind) {
      case 'literal': return node.value === null ? 'nil' : typeof node.value === 'boolean' ? 'bool' : node.int ? 'int' : typeof node.value as Type;
      case 'array': return node.items.forEach((i) => this.check(i, element)), 'array';
      case 'result': return this.resultType;
      case 'element': return element;
      case 'member': {
        const object = this.check(node.object, element);
        const key = this.check(node.key, element);
        if (object === 'vector' || object === 'array') {
          if (key !== 'int' && key !== 'any') throw new ConditionSyntaxError(`cannot use ${key} as index to ${object}${key === 'string' && object === 'vector' ? ' (a Prometheus result is a vector of numbers: result[0])' : ''}`);
          return object === 'vector' ? 'number' : 'any';
        }
        if (object === 'any') return 'any';
        if (object === 'map') {
          if (key !== 'string' && key !== 'any') throw new ConditionSyntaxError(`cannot use ${key} to get an element from a JSON object`);
          return 'any';
        }
        throw new ConditionSyntaxError(`type ${object} has no field or index ${describe(node.key)}`);
      }
      case 'call': return this.call(node, element);
      case 'unary': {
        const arg = this.check(node.arg, element);
        if (node.op === '!') return expectType(arg, ['bool'], '!'), 'bool';
        return expectType(arg, ['number', 'int'], node.op), arg;
      }
      case 'conditional': {
        expectType(this.check(node.test, element), ['bool'], '?:');
        const [a, b] = [this.check(node.then, element), this.check(node.otherwise, element)];
        return a === b ? a : 'any';
      }
      case 'binary': {
        const [left, right] = [this.check(node.left, element), this.check(node.right, element)];
        if ((node.op === 'in' || node.op === 'not in') && node.right.kind === 'array') {
          const items = node.right.items.map((i) => this.check(i, element));
          const item = items[0];
          if (item !== undefined && items.every((t) => sameType(t, item)) && !['any', 'nil'].includes(left) && !sameType(left, item)) {
            throw new ConditionSyntaxError(`cannot use ${left} as type ${item} in array`);
          }
        }
        return this.binary(node.op, left, right);
      }
    }
  }

  private binary(op: string, left: Type, right: Type): Type {
    switch (op) {
      case '&&': case '||':
        expectType(left, ['bool'], op);
        expectType(right, ['bool'], op);
        return 'bool';
      case '==': case '!=':
        if (left !== 'any' && right !== 'any' && left !== 'nil' && right !== 'nil' && !sameType(left, right)) {
          throw new ConditionSyntaxError(`invalid operation: ${op} (mismatched types ${left} and ${right})${left === 'vector' || right === 'vector' ? ' (use result[0])' : ''}`);
        }
        return 'bool';
      case '<': case '<=': case '>': case '>=':
        if (!(left === 'any' || right === 'any' || (sameType(left, right) && ['number', 'int', 'string'].includes(left)))) {
          throw new ConditionSyntaxError(`invalid operation: ${op} (mismatched types ${left} and ${right})${left === 'vector' || right === 'vector' ? ' (use result[0])' : ''}`);
        }
        return 'bool';
      case 'in': case 'not in':
        expectType(right, ['vector', 'array'], op);
        return 'bool';
      case 'matches': case 'contains': case 'startsWith': case 'endsWith':
        expectType(left, ['string'], op);
        expectType(right, ['string'], op);
        return 'bool';
      case '+':
        if (left === 'string' && right === 'string') return 'string';
        if (left === 'any' || right === 'any') return 'any';
        return arithmetic(op, left, right);
      case '%':
        if ((left === 'number' || right === 'number') && left !== 'any' && right !== 'any') {
          throw new ConditionSyntaxError(`invalid operation: % (mismatched types ${goName(left)} and ${goName(right)}): % takes integers`);
        }
        return arithmetic(op, left, right);
      default:
        return arithmetic(op, left, right);
    }
  }

  private call(node: Extract<Node, { kind: 'call' }>, element: Type): Type {
    const [first, second] = node.args;
    const name = node.name;
    if (PREDICATES.has(name)) {
      const collection = this.check(first, element);
      expectType(collection, ['vector', 'array'], `${name}()`);
      const result = this.check(second, collection === 'vector' ? 'number' : 'any');
      if (name !== 'map') expectType(result, ['bool'], `${name}() predicate`);
      return name === 'filter' ? collection : name === 'map' ? 'array' : name === 'count' ? 'int' : 'bool';
    }
    const types = node.args.map((a) => this.check(a, element));
    switch (name) {
      case 'len': return expectType(types[0], ['vector', 'array', 'map', 'string'], 'len()'), 'int';
      case 'isNaN': case 'isInf': return expectType(types[0], ['number', 'int'], `${name}()`), 'bool';
      case 'abs': case 'max': case 'min': return types.forEach((t) => expectType(t, ['number', 'int'], `${name}()`)), 'number';
      case 'int': case 'float': return types.forEach((t) => expectType(t, ['number', 'int', 'string'], `${name}()`)), name === 'int' ? 'int' : 'number';
      case 'asInt': return 'int';
      case 'asFloat': return 'number';
      case 'string': return 'string';
      case 'lower': case 'upper': case 'trim': return expectType(types[0], ['string'], `${name}()`), 'string';
      case 'isNil': return 'bool';
      default: return 'any'; // default(_, d): the result or d
    }
  }
}

/** The static type of a result value, as expr derives it from the environment (JSON numbers are float64). */
function valueType(value: any): Type {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number') ? 'vector' : 'array';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'boolean') return 'bool';
  return typeof value as Type;
}

/** Types a comparison accepts together (numbers of either kind). */
function sameType(a: Type, b: Type): boolean {
  return a === b || ((a === 'int' || a === 'number') && (b === 'int' || b === 'number'));
}

function arithmetic(op: string, left: Type, right: Type): Type {
  expectType(left, ['number', 'int'], op);
  expectType(right, ['number', 'int'], op);
  if (left === 'any' || right === 'any') return 'any';
  return left === 'int' && right === 'int' && op !== '/' && op !== '**' ? 'int' : 'number';
}

function goName(t: Type): string {
  return t === 'number' ? 'float64' : t;
}

/** Whether a node yields an integer at run time (JSON numbers are float64, so results never do). */
function isIntNode(node: Node): boolean {
  if (node.kind === 'literal') return node.int === true;
  if (node.kind === 'call') return ['len', 'count', 'asInt', 'int'].includes(node.name);
  if (node.kind === 'unary') return node.op !== '!' && isIntNode(node.arg);
  if (node.kind === 'binary') return ['+', '-', '*', '%'].includes(node.op) && isIntNode(node.left) && isIntNode(node.right);
  return false;
}

function describe(key: Node): string {
  return key.kind === 'literal' ? JSON.stringify(key.value) : '[...]';
}

function expectType(actual: Type, expected: Type[], op: string): void {
  if (actual !== 'any' && !expected.includes(actual)) {
    const names = [...new Set(expected.map((t) => (t === 'int' ? 'number' : t)))];
    throw new ConditionSyntaxError(`invalid operation: ${op} needs ${names.join(' or ')}, got ${actual}${actual === 'vector' ? ' (use result[0])' : ''}`);
  }
}

/** Evaluates like expr's VM with the controller's environment. */
class Evaluator {
  constructor(private readonly result: any) {}

  public evaluate(node: Node, element: any): any {
    switch (node.kind) {
      case 'literal': return node.value;
      case 'array': return node.items.map((i) => this.evaluate(i, element));
      case 'result': return this.result ?? null;
      case 'element': return element;
      case 'member': return this.member(node, element);
      case 'call': return this.call(node, element);
      case 'unary': {
        const arg = this.evaluate(node.arg, element);
        if (node.op === '!') return !bool(arg, '!');
        return node.op === '-' ? -number(arg, '-') : number(arg, '+');
      }
      case 'conditional': return bool(this.evaluate(node.test, element), '?:') ? this.evaluate(node.then, element) : this.evaluate(node.otherwise, element);
      case 'binary': return this.binary(node, element);
    }
  }

  private member(node: Extract<Node, { kind: 'member' }>, element: any): any {
    const object = this.evaluate(node.object, element);
    const key = this.evaluate(node.key, element);
    if (object === null || object === undefined) {
      if (node.optional) return null;
      throw new EvaluationError(`cannot fetch ${key} from <nil>`);
    }
    if (Array.isArray(object) || typeof object === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new EvaluationError(`cannot use ${goType(key)} as index to ${goType(object)}`);
      const index = key < 0 ? object.length + key : key;
      if (index < 0 || index >= object.length) throw new EvaluationError(`index out of range: ${key} (array length is ${object.length})`);
      return object[index];
    }
    if (typeof object === 'object') return Object.prototype.hasOwnProperty.call(object, String(key)) ? object[String(key)] : null;
    throw new EvaluationError(`cannot fetch ${key} from ${goType(object)}`);
  }

  private binary(node: Extract<Node, { kind: 'binary' }>, element: any): any {
    const left = this.evaluate(node.left, element);
    if (node.op === '&&') return bool(left, '&&') && bool(this.evaluate(node.right, element), '&&');
    if (node.op === '||') return bool(left, '||') || bool(this.evaluate(node.right, element), '||');
    const right = this.evaluate(node.right, element);
    switch (node.op) {
      case '==': return equal(left, right);
      case '!=': return !equal(left, right);
      case '<': case '<=': case '>': case '>=': {
        const [a, b] = typeof left === 'string' && typeof right === 'string' ? [left, right] : [number(left, node.op), number(right, node.op)];
        if (typeof a !== typeof b) throw new EvaluationError(`invalid operation: ${goType(left)} ${node.op} ${goType(right)}`);
        return node.op === '<' ? a < b : node.op === '<=' ? a <= b : node.op === '>' ? a > b : a >= b;
      }
      case 'in': case 'not in': {
        let found: boolean;
        if (Array.isArray(right)) found = right.some((item) => equal(item, left));
        else if (right !== null && typeof right === 'object') found = Object.prototype.hasOwnProperty.call(right, String(left));
        else throw new EvaluationError(`operator in not defined on ${goType(right)}`);
        return node.op === 'in' ? found : !found;
      }
      case 'matches': return new RegExp(string(right, 'matches')).test(string(left, 'matches'));
      case 'contains': return string(left, 'contains').includes(string(right, 'contains'));
      case 'startsWith': return string(left, 'startsWith').startsWith(string(right, 'startsWith'));
      case 'endsWith': return string(left, 'endsWith').endsWith(string(right, 'endsWith'));
      case '+':
        if (typeof left === 'string' && typeof right === 'string') return left + right;
        return number(left, '+') + number(right, '+');
      case '-': return number(left, '-') - number(right, '-');
      case '*': return number(left, '*') * number(right, '*');
      case '/': return number(left, '/') / number(right, '/');
      case '**': return number(left, '**') ** number(right, '**');
      default: {
        const [a, b] = [number(left, '%'), number(right, '%')];
        if (!isIntNode(node.left) || !isIntNode(node.right)) throw new EvaluationError(`invalid operation: ${goType(left)} % ${goType(right)}`);
        if (b === 0) throw new EvaluationError('integer divide by zero');
        return a % b;
      }
    }
  }

  private call(node: Extract<Node, { kind: 'call' }>, element: any): any {
    const name = node.name;
    if (PREDICATES.has(name)) {
      const collection = this.evaluate(node.args[0], element);
      if (!Array.isArray(collection)) throw new EvaluationError(`cannot iterate over ${goType(collection)}`);
      const test = (item: any) => this.evaluate(node.args[1], item);
      const holds = (item: any) => bool(test(item), `${name}()`);
      switch (name) {
        case 'all': return collection.every(holds);
        case 'any': return collection.some(holds);
        case 'none': return !collection.some(holds);
        case 'one': return collection.filter(holds).length === 1;
        case 'filter': return collection.filter(holds);
        case 'map': return collection.map(test);
        default: return collection.filter(holds).length;
      }
    }
    // the controller's isNil and default ignore their first argument and test the whole result
    if (name === 'isNil') return this.result === null || this.result === undefined;
    if (name === 'default') return this.result === null || this.result === undefined ? this.evaluate(node.args[1], element) : this.result;
    const args = node.args.map((a) => this.evaluate(a, element));
    const [x] = args;
    switch (name) {
      case 'len':
        if (Array.isArray(x) || typeof x === 'string') return x.length;
        if (x !== null && typeof x === 'object') return Object.keys(x).length;
        throw new EvaluationError(`invalid argument for len (type ${goType(x)})`);
      case 'isNaN': return Number.isNaN(float(x, name));
      case 'isInf': return Math.abs(float(x, name)) === Infinity;
      case 'abs': return Math.abs(number(x, name));
      case 'max': return Math.max(...args.map((a) => number(a, name)));
      case 'min': return Math.min(...args.map((a) => number(a, name)));
      case 'int': return Math.trunc(typeof x === 'string' ? parseNumber(x, name) : number(x, name));
      case 'float': return typeof x === 'string' ? parseNumber(x, name) : number(x, name);
      case 'asInt':
        if (typeof x === 'number') return Math.trunc(x);
        if (typeof x === 'string' && /^[-+]?\d+$/.test(x)) return Number(x);
        throw new EvaluationError(typeof x === 'string' ? `strconv.ParseInt: parsing ${JSON.stringify(x)}: invalid syntax` : `asInt() not supported on ${goType(x)} ${x}`);
      case 'asFloat':
        if (typeof x === 'number') return x;
        if (typeof x === 'string') return parseNumber(x, name);
        throw new EvaluationError(`asFloat() not supported on ${goType(x)} ${x}`);
      case 'string': return typeof x === 'string' ? x : JSON.stringify(x);
      case 'lower': return string(x, name).toLowerCase();
      case 'upper': return string(x, name).toUpperCase();
      default: return string(x, name).trim();
    }
  }
}

/** Go's strconv.ParseFloat, for the strings a provider returns. */
function parseNumber(text: string, op: string): number {
  const t = text.trim() === text ? text : '';
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  throw new EvaluationError(`${op}: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
}

function equal(a: any, b: any): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The Go type name the controller's messages use. */
function goType(value: any): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'object') return 'map[string]interface {}';
  return typeof value;
}

function number(value: any, op: string): number {
  if (typeof value !== 'number') throw new EvaluationError(`invalid operation: ${op} on ${goType(value)}`);
  return value;
}

function float(value: any, op: string): number {
  if (typeof value !== 'number') throw new EvaluationError(`cannot use ${goType(value)} as argument (type float64) to call ${op}`);
  return value;
}

function string(value: any, op: string): string {
  if (typeof value !== 'string') throw new EvaluationError(`invalid operation: ${op} on ${goType(value)}`);
  return value;
}

function bool(value: any, op: string): boolean {
  if (typeof value !== 'boolean') throw new EvaluationError(`invalid operation: ${op} on ${goType(value)}`);
  return value;
}
