/**
 * The Prometheus text exposition format (version 0.0.4), read: what the cache nodes' and the
 * redirector's `/metrics` answer. prom-client only writes it, so the dashboard parses it here.
 * Samples only; HELP and TYPE lines are skipped, as are timestamps.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Text that is not the exposition format, with the line and what is wrong in it. */
export class MetricsParseError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}, line ${line}: ${reason}`);
    this.name = 'MetricsParseError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `at`; answers the labels and where they end. */
function parseLabels(text: string, at: number, fail: (reason: string) => never) {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(text.slice(i))?.[0];
    if (!name) fail(`expected a label name at column ${i + 1}`);
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') fail(`expected ="value" after label ${name}`);
    i += 2;
    let value = '';
    while (text[i] !== '"') {
      if (i >= text.length) fail(`label ${name} has no closing quote`);
      if (text[i] === '\\') {
        const escaped = ESCAPES[text[i + 1]];
        if (escaped === undefined) fail(`unknown escape \\${text[i + 1] ?? ''} in label ${name}`);
        value += escaped;
        i += 2;
      } else value += text[i++];
    }
    labels[name] = value;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail(`expected , or } after label ${name}`);
  }
}

/** Every sample of an exposition; `source` (e.g. the URL) names it in errors. */
export function parseMetrics(text: string, source: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail: (reason: string) => never = (reason) => {
      throw new MetricsParseError(source, index + 1, reason);
    };
    const name = NAME.exec(line)?.[0];
    if (!name) fail('expected a metric name');
    let at = name.length;
    let labels: Record<string, string> = {};
    if (line[at] === '{') ({ labels, end: at } = parseLabels(line, at, fail));
    const [valueText, timestamp, extra] = line.slice(at).trim().split(/\s+/);
    const value = parseValue(valueText ?? '');
    if (value === undefined) fail(`"${valueText ?? ''}" is not a sample value`);
    if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
      fail('expected at most a value and an integer timestamp after the labels');
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include every pair of `match`. */
export function sumOf(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(match).every(([key, value]) => sample.labels[key] === value)) total += sample.value;
  }
  return total;
}
