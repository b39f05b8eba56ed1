/**
 * Training data: feature rows with their labels and enough of the requests (time, object,
 * size) to replay them through the simulator, read either from a prepared FeatureSet
 * (Parquet, with DuckDB) or computed from a trace (online features + labels of a slice, for
 * rolling retraining and tests).
 *
 * Days: `--train-days A..B` / `--test-days C..D` take UTC dates (YYYY-MM-DD) or period
 * indices from 0, where period 0 is the one holding the trace's first request (periods are
 * whole UTC days unless `--period` says otherwise, e.g. 20m for a two-hour trace). Both ends
 * are inclusive.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DAY } from '../common/time.js';
import { FEATURE_NAMES, type FeatureSet, MANIFEST_FILE } from '../prep/schema.js';
import { beladyNextHits, NO_NEXT } from '../prep/staging.js';
import type { DictColumn, ObjectKeys, Trace } from '../trace/model.js';
import type { FeatureMatrix } from './online-features.js';

/** A half-open time range [from, to) in seconds, and how it was written. */
export interface DayRange {
  from: number;
  to: number;
  text: [string, string];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class DayRangeError extends Error {
  constructor(option: string, text: string, reason: string) {
    super(`${option} "${text}": ${reason}`);
    this.name = 'DayRangeError';
  }
}

/** Start of the period holding `firstTime`: day (period) indices count from it. */
export function periodOrigin(firstTime: number, period: number): number {
  return Math.floor(firstTime / period) * period;
}

/** Parses `A..B` or `A` (dates or indices, inclusive) into seconds. */
export function parseDayRange(text: string, origin: number, period = DAY, option = '--days'): DayRange {
  const parts = text.split('..').map((p) => p.trim());
  if (parts.length > 2 || parts.some((p) => p.length === 0)) {
    throw new DayRangeError(option, text, 'expected A..B with dates (YYYY-MM-DD) or day indices from 0');
  }
  const [a, b] = parts.length === 1 ? [parts[0], parts[0]] : parts;
  const start = (p: string): number => {
    if (DATE.test(p)) {
      const ms = Date.parse(`${p}T00:00:00Z`);
      if (Number.isNaN(ms)) throw new DayRangeError(option, text, `${p} is not a date`);
      return ms / 1000;
    }
    if (/^\d+$/.test(p)) return origin + Number(p) * period;
    throw new DayRangeError(option, text, `${p} is neither a date (YYYY-MM-DD) nor a day index`);
  };
  const from = start(a);
  const to = DATE.test(b) ? start(b) + DAY : start(b) + period;
  if (!(to > from)) throw new DayRangeError(option, text, 'the range is empty');
  return { from, to, text: [a, b] };
}

/** Rows of a feature matrix with labels and the requests they describe. */
export interface LabelledData {
  features: FeatureMatrix;
  time: Float64Array;
  obj: Uint32Array;
  size: Float64Array;
  objectCount: number;
  /** seconds to the object's next request, NaN when none */
  nextGap: Float64Array;
  /** Belady keeps the object until its next request: 1 / 0, NaN when there is none */
  optAdmit: Float64Array;
  /** next request within the horizon: 1 / 0 */
  reused: Float64Array;
}

class IndexKeys implements ObjectKeys {
  constructor(readonly count: number) {}
  key(obj: number): number {
    return obj;
  }
}

/** Requests `from..to-1` of a trace as a trace; objects keep their indices. */
export function traceSlice(trace: Trace, from: number, to: number): Trace {
  const dict = (d?: DictColumn) => d && { codes: d.codes.subarray(from, to), values: d.values };
  return {
    ...trace,
    length: to - from,
    time: trace.time.subarray(from, to),
    obj: trace.obj.subarray(from, to),
    size: trace.size.subarray(from, to),
    site: dict(trace.site),
    user: dict(trace.user),
    dataset: dict(trace.dataset),
    op: dict(trace.op),
    bytesRead: trace.bytesRead?.subarray(from, to),
    nextAccess: undefined,
  };
}

/** The requests of labelled rows as a trace, for replaying them. */
export function dataTrace(data: LabelledData, from = 0, to = data.time.length): Trace {
  return {
    length: to - from,
    time: data.time.subarray(from, to),
    obj: data.obj.subarray(from, to),
    size: data.size.subarray(from, to),
    keys: new IndexKeys(data.objectCount),
    objectCount: data.objectCount,
  };
}

export interface LabelOptions {
  /** Belady cache size (bytes) for opt_admit */
  optSize: number;
  /** reused horizon, seconds */
  horizon: number;
}

/**
 * Labelled rows `from..to-1` of a (time-ordered) trace whose online features are `features`
 * (all rows). Labels are computed on the slice alone, as a deployed system knows them at
 * the slice's end: a next request after the slice counts as none.
 */
export function labelTraceRows(
  trace: Trace,
  features: FeatureMatrix,
  from: number,
  to: number,
  options: LabelOptions,
): LabelledData {
  const slice = traceSlice(trace, from, to);
  const n = slice.length;
  const nextGap = new Float64Array(n).fill(Number.NaN);
  const reused = new Float64Array(n);
  const optAdmit = new Float64Array(n).fill(Number.NaN);
  const following = new Int32Array(trace.objectCount).fill(-1);
  const opt = beladyNextHits(slice, options.optSize);
  for (let i = n - 1; i >= 0; i--) {
    const o = slice.obj[i];
    const j = following[o];
    if (j >= 0) {
      nextGap[i] = slice.time[j] - slice.time[i];
      reused[i] = nextGap[i] <= options.horizon ? 1 : 0;
    }
    if (opt[i] !== NO_NEXT) optAdmit[i] = opt[i];
    following[o] = i;
  }
  const cols = features.names.length;
  return {
    features: { names: features.names, rows: n, values: features.values.subarray(from * cols, to * cols) },
    time: slice.time,
    obj: slice.obj,
    size: slice.size,
    objectCount: trace.objectCount,
    nextGap,
    optAdmit,
    reused,
  };
}

/** Reads the manifest of a prepared feature set. */
export async function readFeatureSet(dir: string): Promise<FeatureSet> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as FeatureSet;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** First request time of a feature set (for day indices). */
/** Times of the first and last request of a feature set. */
export async function featureSetSpan(dir: string): Promise<{ first: number; last: number }> {
  return withDuckDb(async (run) => {
    const rows = await run(
      `SELECT min(request_time) AS first, max(request_time) AS last FROM ${parquetIn(dir)}`,
    );
    return { first: Number(rows.first[0]), last: Number(rows.last[0]) };
  });
}

function parquetIn(dir: string): string {
  return `read_parquet(${sqlString(`${dir}/*/*.parquet`)}, hive_partitioning = true, hive_types_autocast = false)`;
}

async function withDuckDb<T>(body: (run: (sql: string) => Promise<Record<string, unknown[]>>) => Promise<T>) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await body(async (sql) => (await connection.runAndReadAll(sql)).getColumnsObjectJS());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Labelled rows of a FeatureSet in a time range, in seq order. */
export async function readFeatureRows(dir: string, range: DayRange): Promise<LabelledData> {
  const columns = ['request_time', 'object_id', 'size', ...FEATURE_NAMES, 'next_gap', 'opt_admit', 'reused'];
  const sql =
    `SELECT ${columns.join(', ')} FROM ${parquetIn(dir)} ` +
    `WHERE request_time >= ${range.from} AND request_time < ${range.to} ORDER BY seq`;
  return withDuckDb(async (run) => {
    const c = await run(sql);
    const n = c.request_time.length;
    const num = (v: unknown) => (v === null || v === undefined ? Number.NaN : Number(v));
    const column = (name: string) => Float64Array.from(c[name], num);
    const cols = FEATURE_NAMES.length;
    const values = new Float64Array(n * cols);
    FEATURE_NAMES.forEach((name, f) => {
      const col = c[name];
      for (let i = 0; i < n; i++) values[i * cols + f] = num(col[i]);
    });
    const ids = new Map<string, number>();
    const obj = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const key = String(c.object_id[i]);
      let o = ids.get(key);
      if (o === undefined) {
        o = ids.size;
        ids.set(key, o);
      }
      obj[i] = o;
    }
    const bool = (v: unknown) => (v === null || v === undefined ? Number.NaN : v ? 1 : 0);
    return {
      features: { names: FEATURE_NAMES, rows: n, values },
      time: column('request_time'),
      obj,
      size: column('size'),
      objectCount: ids.size,
      nextGap: column('next_gap'),
      optAdmit: Float64Array.from(c.opt_admit, bool),
      reused: Float64Array.from(c.reused, bool),
    };
  });
}
