import { DAY, HOUR } from '../common/time.js';
/**
 * The prepared-feature schema: every output column of `smartcache prep`, defined once.
 *
 * The SQL SELECT list (src/prep/sql.ts), the column table of docs/prep.md and the learning
 * code (FEATURE_NAMES, LABEL_NAMES) all read this array, so a column is added or changed here
 * and nowhere else.
 *
 * Each `sql` expression reads the staged input (src/prep/staging.ts) through the windows of
 * WINDOWS, which src/prep/sql.ts declares, and RANGE frames over request_time. `{horizon}` is
 * replaced by the label horizon in seconds, `{day}` by the engine's day expression.
 */

export type ColumnType = 'double' | 'bigint' | 'integer' | 'varchar' | 'boolean';
export type ColumnRole = 'identity' | 'feature' | 'label';
/** Optional input columns a definition may depend on; without them the column is NULL. */
export type OptionalInput = 'site' | 'user' | 'dataset';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  readonly role: ColumnRole;
  readonly nullable: boolean;
  readonly description: string;
  /** engine-neutral SQL expression (DuckDB and Spark SQL) */
  readonly sql: string;
  /** the column is NULL for inputs without this field */
  readonly requires?: OptionalInput;
  /**
   * `sql` reads the objects table (the object's key), joined on by obj after the windows so
   * that their sorts do not carry it
   */
  readonly lookup?: boolean;
  /**
   * `sql` uses the `by_dataset` window: computed in a pass of its own over the staged
   * requests, before the per-object windows, so that the dataset sort carries only the input
   */
  readonly datasetPass?: boolean;
}

/** Bumped whenever a column is added, removed or redefined. */
export const SCHEMA_VERSION = 1;

const WEEK = 7 * DAY;

/**
 * The named windows. The input is in time order and `seq` numbers it in that order, so
 * ordering by (request_time, seq) is ordering by seq: the position decides between requests
 * of the same second. It is spelled with request_time first so that the RANGE frames of
 * `inLast`, ordered by request_time alone over the same partition, order by a prefix of it:
 * an engine then sorts once per partitioning (DuckDB computes every per-object window in one
 * WINDOW operator over one sort, Spark needs no second sort) instead of once per ordering.
 */
export const WINDOWS = {
  by_object: 'PARTITION BY obj ORDER BY request_time, seq',
  by_dataset: 'PARTITION BY dataset ORDER BY request_time, seq',
} as const;

/**
 * A window function over a named window, in parentheses: Spark reads `OVER w - x` as a
 * (malformed) window name `w-x`.
 */
function over(call: string, window: keyof typeof WINDOWS): string {
  return `(${call} OVER ${window})`;
}

/** Requests of this object earlier in the trace: tie-safe because it counts by position (seq). */
const EARLIER_OF_OBJECT = `(${over('row_number()', 'by_object')} - 1)`;
const EARLIER_OF_DATASET = `(${over('row_number()', 'by_dataset')} - 1)`;

/**
 * Earlier requests with time > t - W: all earlier requests minus those at or before t - W.
 * The second term's frame ends at t - W < t, so requests sharing the current time (ties,
 * before or after it in seq order) never fall into it.
 */
function inLast(earlier: string, partition: string, seconds: number): string {
  return (
    `${earlier} - count(*) OVER (PARTITION BY ${partition} ORDER BY request_time ` +
    `RANGE BETWEEN UNBOUNDED PRECEDING AND ${seconds} PRECEDING)`
  );
}

const NEXT_GAP = `(${over('lead(request_time)', 'by_object')} - request_time)`;

export const COLUMNS: readonly ColumnDefinition[] = [
  {
    name: 'seq',
    type: 'bigint',
    role: 'identity',
    nullable: false,
    description: 'position of the request in the trace, from 0',
    sql: 'seq',
  },
  {
    name: 'request_time',
    type: 'double',
    role: 'identity',
    nullable: false,
    description: 'request time, seconds since the unix epoch (or since trace start for anonymous traces)',
    sql: 'request_time',
  },
  {
    name: 'object_id',
    type: 'varchar',
    role: 'identity',
    nullable: false,
    description:
      'object key as in the input (numeric ids written in decimal, logical file names as they are)',
    sql: 'object_id',
    lookup: true,
  },
  {
    name: 'size',
    type: 'double',
    role: 'identity',
    nullable: false,
    description: 'object size in bytes',
    sql: 'size',
  },
  {
    name: 'site',
    type: 'varchar',
    role: 'identity',
    nullable: true,
    description: 'site that made the request',
    sql: 'site',
    requires: 'site',
  },
  {
    name: 'user_name',
    type: 'varchar',
    role: 'identity',
    nullable: true,
    description: 'user that made the request',
    sql: 'user_name',
    requires: 'user',
  },
  {
    name: 'dataset',
    type: 'varchar',
    role: 'identity',
    nullable: true,
    description: 'dataset the object belongs to',
    sql: 'dataset',
    requires: 'dataset',
  },
  {
    name: 'log_size',
    type: 'double',
    role: 'feature',
    nullable: false,
    description: 'ln(1 + size)',
    sql: 'ln(1 + size)',
  },
  {
    name: 'since_last',
    type: 'double',
    role: 'feature',
    nullable: true,
    description: "seconds since this object's previous request; NULL on its first request",
    sql: `request_time - ${over('lag(request_time)', 'by_object')}`,
  },
  {
    name: 'count_1h',
    type: 'bigint',
    role: 'feature',
    nullable: false,
    description: 'earlier requests of this object in the last hour (time > t - 3600 s)',
    sql: inLast(EARLIER_OF_OBJECT, 'obj', HOUR),
  },
  {
    name: 'count_1d',
    type: 'bigint',
    role: 'feature',
    nullable: false,
    description: 'earlier requests of this object in the last day (time > t - 86400 s)',
    sql: inLast(EARLIER_OF_OBJECT, 'obj', DAY),
  },
  {
    name: 'count_7d',
    type: 'bigint',
    role: 'feature',
    nullable: false,
    description: 'earlier requests of this object in the last 7 days (time > t - 604800 s)',
    sql: inLast(EARLIER_OF_OBJECT, 'obj', WEEK),
  },
  {
    name: 'count_ever',
    type: 'bigint',
    role: 'feature',
    nullable: false,
    description: 'earlier requests of this object since the trace start',
    sql: EARLIER_OF_OBJECT,
  },
  {
    name: 'dataset_count_1d',
    type: 'bigint',
    role: 'feature',
    nullable: true,
    description:
      "earlier requests of this request's dataset in the last day; NULL when the request has no dataset",
    sql: `CASE WHEN dataset IS NULL THEN NULL ELSE ${inLast(EARLIER_OF_DATASET, 'dataset', DAY)} END`,
    requires: 'dataset',
    datasetPass: true,
  },
  {
    name: 'distinct_users',
    type: 'bigint',
    role: 'feature',
    nullable: true,
    description: 'distinct users that have requested this object so far, this request included',
    // by_object's partition and order, so it shares that sort; a frame cannot refine a named window
    sql: `sum(first_use_by_user) OVER (${WINDOWS.by_object} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
    requires: 'user',
  },
  {
    name: 'age',
    type: 'double',
    role: 'feature',
    nullable: false,
    description: "seconds since this object's first request in the trace",
    sql: `request_time - ${over('first_value(request_time)', 'by_object')}`,
  },
  {
    name: 'hour_of_day',
    type: 'integer',
    role: 'feature',
    nullable: false,
    description: 'UTC hour of the request, 0-23',
    sql: `CAST(floor(request_time / ${HOUR}) AS BIGINT) % 24`,
  },
  {
    name: 'day_of_week',
    type: 'integer',
    role: 'feature',
    nullable: false,
    description: 'UTC day of the week, Monday = 0 ... Sunday = 6',
    // 1970-01-01, day 0 of the epoch, was a Thursday (3)
    sql: `(CAST(floor(request_time / ${DAY}) AS BIGINT) + 3) % 7`,
  },
  {
    name: 'next_gap',
    type: 'double',
    role: 'label',
    nullable: true,
    description: "seconds until this object's next request; NULL when it is never requested again",
    sql: NEXT_GAP,
  },
  {
    name: 'requests_to_next',
    type: 'bigint',
    role: 'label',
    nullable: true,
    description:
      "requests (of any object) until this object's next request, i.e. next seq - seq; NULL when none",
    sql: `${over('lead(seq)', 'by_object')} - seq`,
  },
  {
    name: 'reused',
    type: 'boolean',
    role: 'label',
    nullable: false,
    description: 'the object is requested again within the horizon (--horizon, default 1 d)',
    sql: `coalesce(${NEXT_GAP} <= {horizon}, false)`,
  },
  {
    name: 'opt_admit',
    type: 'boolean',
    role: 'label',
    nullable: true,
    description:
      "Belady's optimum at --opt-size keeps the object until its next request (that request hits); NULL when there is none",
    sql: 'opt_hit_next',
  },
  {
    name: 'day',
    type: 'varchar',
    role: 'identity',
    nullable: false,
    description: 'UTC date of the request, YYYY-MM-DD; the output is partitioned by it (day=... folders)',
    sql: '{day}',
  },
];

export const FEATURE_NAMES: readonly string[] = COLUMNS.filter((c) => c.role === 'feature').map(
  (c) => c.name,
);
export const LABEL_NAMES: readonly string[] = COLUMNS.filter((c) => c.role === 'label').map((c) => c.name);
export const PARTITION_COLUMN = 'day';

/** A column as recorded in a FeatureSet manifest. */
export interface ColumnSummary {
  name: string;
  type: ColumnType;
  role: ColumnRole;
  nullable: boolean;
}

/** What the engine was given to prepare a dataset. */
export interface PrepSettings {
  /** the input trace file and its format */
  trace: string;
  format: string;
  /** `reused` horizon in seconds */
  horizon: number;
  /** Belady cache size for `opt_admit`, bytes, and as given on the command line */
  optSize: number;
  optSizeSpec: string;
  /** sum of first-seen object sizes of the whole trace: what cache-size fractions refer to */
  uniqueBytes: number;
  /** optional input fields the trace had; columns requiring absent ones are NULL */
  inputs: OptionalInput[];
}

/** A prepared dataset on disk, as described by its `_featureset.json` manifest. */
export interface FeatureSet {
  schemaVersion: number;
  /** the output directory */
  dir: string;
  engine: string;
  /** all columns in file order, `day` last (it lives in the folder names) */
  columns: ColumnSummary[];
  rows: number;
  /** first and last UTC day, and every day folder in order */
  days: { first: string; last: string; all: string[] };
  settings: PrepSettings;
  createdAt: string;
}

export const MANIFEST_FILE = '_featureset.json';
