/**
 * Delimited text fields, shared by every csv-like format: one splitter (RFC 4180 quoting,
 * no line breaks inside quotes), one quoting rule for writers, and a reusable row cursor
 * whose accessors raise TraceFormatError naming file, line and column.
 */
import { TraceFormatError } from './errors.js';

const QUOTE = '"';

/** Splits one line into `out` (reused to avoid allocating per line) and returns it. */
export function splitFields(line: string, delimiter: string, out: string[]): string[] {
  out.length = 0;
  if (line.indexOf(QUOTE) === -1) {
    let start = 0;
    for (let d = line.indexOf(delimiter); d !== -1; d = line.indexOf(delimiter, start)) {
      out.push(line.slice(start, d));
      start = d + 1;
    }
    out.push(line.slice(start));
    return out;
  }
  return splitQuoted(line, delimiter, out);
}

function splitQuoted(line: string, delimiter: string, out: string[]): string[] {
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== QUOTE) field += c;
      else if (line[i + 1] === QUOTE) field += line[++i];
      else quoted = false;
    } else if (c === QUOTE) quoted = true;
    else if (c === delimiter) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** Quotes a field for writing when it holds the delimiter, a quote or a line break. */
export function quoteField(value: string, delimiter = ','): string {
  if (value.includes(delimiter) || value.includes(QUOTE) || value.includes('\n') || value.includes('\r')) {
    return `${QUOTE}${value.replaceAll(QUOTE, QUOTE + QUOTE)}${QUOTE}`;
  }
  return value;
}

/** A decimal number with an optional fraction and exponent; spaces around it are allowed. */
const DECIMAL = /^[ \t]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t]*$/;

/**
 * The one number parser of the text readers: a finite decimal number, else NaN. Blank text,
 * hex/binary/octal spellings (`0x1f`, `0b11`), digit separators (`1_000`), `Infinity` and
 * numbers too large for a double (`1e309`) are not numbers here.
 */
export function parseNumber(text: string): number {
  if (!DECIMAL.test(text)) return Number.NaN;
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Times end before year 10000: a later one is almost surely in a smaller unit than the field's. */
export const MAX_TIME_SECONDS = Date.UTC(10000, 0, 1) / 1000;

const UNITS = { seconds: 1, milliseconds: 1e-3, microseconds: 1e-6, nanoseconds: 1e-9 } as const;

export type TimeUnit = 'seconds' | 'milliseconds';

/**
 * Why a time `value` in `unit` is refused, naming the unit it is most likely in; undefined
 * when it is before year 10000.
 */
export function lateTimeReason(value: number, unit: TimeUnit = 'seconds'): string | undefined {
  if (value * UNITS[unit] < MAX_TIME_SECONDS) return undefined;
  const likely = Object.entries(UNITS).find(
    ([, seconds]) => seconds < UNITS[unit] && value * seconds < MAX_TIME_SECONDS,
  );
  const hint = likely ? ` (it looks like ${likely[0]} since 1970)` : '';
  return `time ${value} ${unit} is past year 9999${hint}; give the time in ${unit}`;
}

/**
 * A size or count of bytes: a whole number from 0 to Number.MAX_SAFE_INTEGER, because a
 * double holds no larger count exactly (1e30 bytes would be read as some other number).
 */
export function isByteCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** The reason a field is not a byte count, quoting what was found. */
export function notByteCount(found: unknown): string {
  return `expected a non-negative whole number of bytes up to 2^53 - 1, found ${JSON.stringify(found) ?? 'nothing'}`;
}

/** The reason bytes read above the object's size are refused; undefined when they are within it. */
export function bytesReadAboveSize(bytesRead: number, size: number): string | undefined {
  return bytesRead > size ? `${bytesRead} bytes read from an object of ${size} bytes` : undefined;
}

/** A cursor over the fields of the current line; reused for every line of a file. */
export class FieldRow {
  line = 0;
  readonly values: string[] = [];

  constructor(
    readonly file: string,
    /** column names for error messages (header names, or 1-based column numbers) */
    readonly names: readonly string[],
    readonly delimiter = ',',
  ) {}

  /** Splits a line and checks that it has as many columns as there are names. */
  split(line: string, lineNumber: number): void {
    this.line = lineNumber;
    splitFields(line, this.delimiter, this.values);
    if (this.values.length !== this.names.length) {
      throw this.error(undefined, `expected ${this.names.length} columns, found ${this.values.length}`);
    }
  }

  text(col: number): string {
    return this.values[col];
  }

  /** A finite number >= 0. */
  nonNegative(col: number): number {
    const value = parseNumber(this.values[col]);
    if (!(value >= 0)) {
      throw this.error(col, `expected a non-negative number, found ${JSON.stringify(this.values[col])}`);
    }
    return value;
  }

  /** A time in seconds: a number from 0 to before year 10000. */
  seconds(col: number): number {
    const seconds = this.nonNegative(col);
    const late = lateTimeReason(seconds);
    if (late !== undefined) throw this.error(col, late);
    return seconds;
  }

  /** A byte count (see isByteCount). */
  byteCount(col: number): number {
    const value = parseNumber(this.values[col]);
    if (!isByteCount(value)) throw this.error(col, notByteCount(this.values[col]));
    return value;
  }

  error(col: number | undefined, reason: string): TraceFormatError {
    const field = col === undefined ? undefined : this.names[col];
    return new TraceFormatError({ file: this.file, line: this.line, field }, reason);
  }
}

/** Column names `1`..`n` for header-less files, matching libCacheSim's 1-based column params. */
export function columnNumbers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i + 1));
}
