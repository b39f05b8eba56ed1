/** Typed errors for bad trace input: every one names the file and where in it. */

export interface TraceLocation {
  file: string;
  /** 1-based line number, for text formats */
  line?: number;
  /** byte offset, for binary formats */
  offset?: number;
  /** the field (column) that was bad */
  field?: string;
}

export class TraceFormatError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly offset?: number;
  readonly field?: string;

  constructor(
    location: TraceLocation,
    readonly reason: string,
  ) {
    super(`${describeLocation(location)}: ${reason}`);
    this.name = 'TraceFormatError';
    this.file = location.file;
    this.line = location.line;
    this.offset = location.offset;
    this.field = location.field;
  }
}

/**
 * Compressed data that is corrupt or truncated, at a byte of the compressed file. Never a
 * bad record that `--skip-bad` may skip: what the damage did to the records is unknown.
 */
export class CompressedDataError extends TraceFormatError {
  constructor(location: TraceLocation, reason: string) {
    super(location, reason);
    this.name = 'CompressedDataError';
  }
}

function describeLocation(l: TraceLocation): string {
  let where = l.file;
  if (l.line !== undefined) where += `:${l.line}`;
  if (l.offset !== undefined) where += ` (byte ${l.offset})`;
  if (l.field !== undefined) where += ` field "${l.field}"`;
  return where;
}

/**
 * How many bad records a reader may skip (`--skip-bad N`). Every skipped record is kept
 * so the caller can report it; the (N+1)th bad record is thrown.
 */
export class BadInputBudget {
  readonly skipped: TraceFormatError[] = [];

  constructor(readonly limit = 0) {}

  /** Records a bad record, or rethrows it when the budget is spent or it is not a bad record. */
  charge(err: unknown): void {
    const record = err instanceof TraceFormatError && !(err instanceof CompressedDataError);
    if (!record || this.skipped.length >= this.limit) throw err;
    this.skipped.push(err);
  }
}

/** A trace holds a value that the output format cannot represent. */
export class TraceWriteError extends Error {
  constructor(
    readonly format: string,
    /** 0-based position of the request */
    readonly request: number,
    readonly field: string,
    reason: string,
  ) {
    super(`cannot write request ${request} as ${format}: ${field} ${reason}`);
    this.name = 'TraceWriteError';
  }
}
