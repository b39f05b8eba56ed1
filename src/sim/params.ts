/**
 * Policy parameters declared as data: each policy lists its parameters (type, range,
 * default, one line of doc) once, and this module reads command-line values against that
 * declaration, refuses unknown keys and out-of-range values, and writes the help text and
 * the table in docs/policies.md from it.
 */

export interface NumberParam {
  readonly type: 'number' | 'integer';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  /** the bound itself is not allowed */
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  readonly doc: string;
}

export interface ChoiceParam {
  readonly type: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
  readonly doc: string;
}

export interface BooleanParam {
  readonly type: 'boolean';
  readonly default?: boolean;
  readonly doc: string;
}

export interface StringParam {
  readonly type: 'string';
  readonly default?: string;
  /** what the value names, for help: DIR, FILE, POLICY */
  readonly placeholder: string;
  readonly doc: string;
}

export type ParamDecl = NumberParam | ChoiceParam | BooleanParam | StringParam;
export type ParamDecls = Readonly<Record<string, ParamDecl>>;

type ValueOf<P> = P extends { type: 'number' | 'integer' }
  ? number
  : P extends { type: 'boolean' }
    ? boolean
    : P extends { type: 'choice'; choices: readonly (infer C)[] }
      ? C
      : string;

/** The values of declared parameters: those without a default may be absent. */
export type ParamValues<D extends ParamDecls> = {
  readonly [K in keyof D]: D[K] extends { default: unknown } ? ValueOf<D[K]> : ValueOf<D[K]> | undefined;
};

export class PolicyParamError extends RangeError {
  constructor(
    readonly policy: string,
    readonly param: string,
    detail: string,
  ) {
    super(`policy ${policy}: parameter ${detail}`);
    this.name = 'PolicyParamError';
  }
}

/** Reads `raw` (key -> text from `name(key=value,...)`) against the declaration. */
export function readParams<D extends ParamDecls>(
  policy: string,
  decls: D,
  raw: Readonly<Record<string, string>>,
): ParamValues<D> {
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(decls, key)) {
      const known = Object.keys(decls);
      throw new PolicyParamError(
        policy,
        key,
        `${key} is unknown; ${known.length > 0 ? `known: ${known.join(', ')}` : 'it takes no parameters'}`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(decls)) {
    const text = raw[key];
    values[key] = text === undefined ? decl.default : parseValue(policy, key, decl, text);
  }
  return values as ParamValues<D>;
}

function parseValue(policy: string, key: string, decl: ParamDecl, text: string): unknown {
  const fail = (expected: string) =>
    new PolicyParamError(policy, key, `${key}=${text}: expected ${expected}`);
  switch (decl.type) {
    case 'number':
    case 'integer': {
      const value = parseNumber(decl, text);
      if (value === undefined) throw fail(typeText(decl));
      return value;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw fail('true or false');
      return text === 'true';
    case 'choice':
      if (!decl.choices.includes(text)) throw fail(decl.choices.join(' or '));
      return text;
    case 'string':
      if (text === '') throw fail(`a ${decl.placeholder}`);
      return text;
  }
}

/** A NumberParam's range, without its doc and default: also what numeric CLI options declare. */
export type NumberRange = Omit<NumberParam, 'doc' | 'default'>;

/** `text` as a finite number of the declared type and range, or undefined. */
export function parseNumber(decl: NumberRange, text: string): number | undefined {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const typed = Number.isFinite(value) && (decl.type === 'number' || Number.isInteger(value));
  return typed && inRange(decl, value) ? value : undefined;
}

function inRange(decl: NumberRange, value: number): boolean {
  if (decl.min !== undefined && (decl.exclusiveMin ? value <= decl.min : value < decl.min)) return false;
  if (decl.max !== undefined && (decl.exclusiveMax ? value >= decl.max : value > decl.max)) return false;
  return true;
}

/** `number in (0, 1)`, `integer in 1..8`, `integer >= 0`, `true or false`, `DIR`. */
export function typeText(decl: ParamDecl | NumberRange): string {
  switch (decl.type) {
    case 'boolean':
      return 'true or false';
    case 'choice':
      return decl.choices.join(' or ');
    case 'string':
      return decl.placeholder;
    default:
      return `${decl.type}${rangeText(decl)}`;
  }
}

function rangeText(decl: NumberRange): string {
  const { min, max } = decl;
  if (min === undefined && max === undefined) return '';
  if (max === undefined) return ` ${decl.exclusiveMin ? '>' : '>='} ${min}`;
  if (min === undefined) return ` ${decl.exclusiveMax ? '<' : '<='} ${max}`;
  if (decl.type === 'integer' && !decl.exclusiveMin && !decl.exclusiveMax) return ` in ${min}..${max}`;
  return ` in ${decl.exclusiveMin ? '(' : '['}${min}, ${max}${decl.exclusiveMax ? ')' : ']'}`;
}

/** One line per parameter: `fifo-size-ratio=0.1  number in (0, 1): share of the small FIFO`. */
export function paramLines(decls: ParamDecls): string[] {
  return Object.entries(decls).map(([key, decl]) => {
    const value = decl.default === undefined ? key : `${key}=${decl.default}`;
    return `${value}  ${typeText(decl)}: ${decl.doc}`;
  });
}
