/**
 * XRootD monitoring records, one JSON object per line (/work/shared/formats/cms-access.md §2):
 * federation access records (2a, times in unix milliseconds, optionally wrapped in `data`)
 * and XCache file-close records (2b, `"event": "file_close"`, times in unix seconds).
 * Monitoring streams arrive in close order, so readTrace sorts them by time (with a notice).
 */
import type { Writable } from 'node:stream';
import { TraceBuilder } from '../builder.js';
import { TraceFormatError } from '../errors.js';
import { isByteCount, lateTimeReason, notByteCount, parseNumber, type TimeUnit } from '../fields.js';
import { forEachLine } from '../input.js';
import type { TextKeyInterner } from '../keys.js';
import { lfnDataset } from '../lfn.js';
import type { Trace } from '../model.js';
import { dictValue, idText, writeLines } from '../output.js';
import type { ReadContext, TraceFormat } from './format.js';

type JsonRecord = Record<string, unknown>;

class RecordReader {
  line = 0;
  constructor(readonly file: string) {}

  error(field: string | undefined, reason: string): TraceFormatError {
    return new TraceFormatError({ file: this.file, line: this.line, field }, reason);
  }

  parse(text: string, lineNumber: number): JsonRecord {
    this.line = lineNumber;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw this.error(undefined, `bad JSON: ${(err as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.error(undefined, 'expected one JSON object per line');
    }
    return value as JsonRecord;
  }

  /** A finite number >= 0, given as a JSON number or a numeric string. */
  nonNegative(rec: JsonRecord, field: string): number {
    const value = numberIn(rec, field);
    if (!(value >= 0)) {
      throw this.error(
        field,
        `expected a non-negative number, found ${JSON.stringify(rec[field]) ?? 'nothing'}`,
      );
    }
    return value;
  }

  /** A time in `unit`, in seconds: a number from 0 to before year 10000. */
  seconds(rec: JsonRecord, field: string, unit: TimeUnit): number {
    const value = this.nonNegative(rec, field);
    const late = lateTimeReason(value, unit);
    if (late !== undefined) throw this.error(field, late);
    return unit === 'milliseconds' ? value / 1000 : value;
  }

  /** A byte count (see isByteCount), given as a JSON number or a numeric string. */
  byteCount(rec: JsonRecord, field: string): number {
    const value = numberIn(rec, field);
    if (!isByteCount(value)) throw this.error(field, notByteCount(rec[field]));
    return value;
  }

  optionalByteCount(rec: JsonRecord, field: string): number | undefined {
    return rec[field] === undefined || rec[field] === null ? undefined : this.byteCount(rec, field);
  }

  text(rec: JsonRecord, field: string): string {
    const value = rec[field];
    if (typeof value !== 'string' || value === '') throw this.error(field, 'expected a non-empty string');
    return value;
  }

  optionalText(rec: JsonRecord, field: string): string | undefined {
    const value = rec[field];
    return typeof value === 'string' ? value : undefined;
  }
}

/** A field's finite JSON number (JSON reads 1e309 as Infinity), or the number a string spells (parseNumber); NaN otherwise. */
function numberIn(rec: JsonRecord, field: string): number {
  const raw = rec[field];
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : Number.NaN;
  return typeof raw === 'string' ? parseNumber(raw) : Number.NaN;
}

export async function readXrootd(chunks: AsyncIterable<Uint8Array>, context: ReadContext): Promise<Trace> {
  const builder = TraceBuilder.text();
  const reader = new RecordReader(context.file);
  await forEachLine(chunks, context, {
    row(line, lineNumber) {
      const rec = reader.parse(line, lineNumber);
      if (rec.event === 'file_close') return addFileClose(builder, reader, rec);
      return addAccess(builder, reader, isRecord(rec.data) ? rec.data : rec);
    },
  });
  return builder.finish();
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 2a: the request time is the open (start_time); bytes read are read_bytes, else read_bytes_at_close. Returns the time. */
function addAccess(b: TraceBuilder<TextKeyInterner>, reader: RecordReader, rec: JsonRecord): number {
  if (rec.file_lfn === undefined && rec.event !== undefined) {
    throw reader.error(
      'event',
      `unknown record kind ${JSON.stringify(rec.event)} (expected file_close or an access record)`,
    );
  }
  const lfn = reader.text(rec, 'file_lfn');
  const time = reader.seconds(rec, 'start_time', 'milliseconds');
  const size = reader.byteCount(rec, 'file_size');
  const readField =
    rec.read_bytes === undefined || rec.read_bytes === null ? 'read_bytes_at_close' : 'read_bytes';
  const bytesRead = reader.optionalByteCount(rec, readField);
  const i = b.add(time, b.keys.intern(lfn), size);
  if (bytesRead !== undefined) b.setBytesRead(i, bytesRead);
  setRequestLabels(b, reader, rec, i, lfn);
  return time;
}

/** 2b: the request time is attach_t; bytes read = b_hit + b_miss + b_bypass. Returns the time. */
function addFileClose(b: TraceBuilder<TextKeyInterner>, reader: RecordReader, rec: JsonRecord): number {
  const lfn = reader.text(rec, 'lfn');
  const time = reader.seconds(rec, 'attach_t', 'seconds');
  const size = reader.byteCount(rec, 'size');
  const served =
    reader.byteCount(rec, 'b_hit') + reader.byteCount(rec, 'b_miss') + reader.byteCount(rec, 'b_bypass');
  if (!isByteCount(served)) {
    throw reader.error(
      'b_hit',
      `b_hit + b_miss + b_bypass = ${served} is above 2^53 - 1, not an exact byte count`,
    );
  }
  const i = b.add(time, b.keys.intern(lfn), size);
  b.setBytesRead(i, served);
  setRequestLabels(b, reader, rec, i, lfn);
  return time;
}

/** True when the first line is a JSON object (the only JSON-lines format smartcache reads). */
export function isJsonObjectLine(firstLine: string): boolean {
  return firstLine.trimStart().startsWith('{');
}

/** Writes 2a access records without the `data` wrapper; times in milliseconds, rounded. */
export async function writeXrootd(trace: Trace, out: Writable): Promise<void> {
  await writeLines(out, undefined, trace.length, (i) => {
    const rec: JsonRecord = {
      file_lfn: idText(trace, i, 'xrootd', 'file_lfn'),
      file_size: trace.size[i],
      start_time: Math.round(trace.time[i] * 1000),
    };
    if (trace.bytesRead) rec.read_bytes = trace.bytesRead[i];
    if (trace.site) rec.site_name = dictValue(trace.site, i);
    if (trace.user) rec.user_dn = dictValue(trace.user, i);
    return JSON.stringify(rec);
  });
}

export const xrootd: TraceFormat = {
  description: 'XRootD/XCache monitoring JSON lines: federation access records and XCache file_close records',
  read: readXrootd,
  write: writeXrootd,
  sniff: isJsonObjectLine,
};

/**
 * What both record kinds say of a request besides file, time and bytes: `site_name` and
 * `user_dn` when present (a cache node's file_close records carry them), op read, and the
 * dataset a CMS logical file name names (its first five path components; other names none).
 */
function setRequestLabels(
  b: TraceBuilder<TextKeyInterner>,
  reader: RecordReader,
  rec: JsonRecord,
  i: number,
  lfn: string,
): void {
  const site = reader.optionalText(rec, 'site_name');
  if (site !== undefined) b.setString('site', i, site);
  const user = reader.optionalText(rec, 'user_dn');
  if (user !== undefined) b.setString('user', i, user);
  b.setString('op', i, 'read');
  const dataset = lfnDataset(lfn);
  if (dataset !== undefined) b.setString('dataset', i, dataset);
}
