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

/** Parses a decimal (or 0x hex) number, rejecting empty text; NaN when it is not a number. */
export function parseNumber(text: string): number {
  return text.length === 0 ? Number.NaN : Number(text);
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
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
      throw this.error(col, `expected a non-negative number, found ${JSON.stringify(this.values[col])}`);
    }
    return value;
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
