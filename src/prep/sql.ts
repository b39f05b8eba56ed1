/**
 * The feature SQL, written once for every engine (DuckDB and Spark SQL).
 *
 * Only window functions, CASE, CAST to common type names and arithmetic are used, and no
 * DISTINCT windows (Spark has no count(DISTINCT) OVER). The one expression the engines
 * spell differently, the UTC day of a unix time, comes from the engine's SqlDialect.
 */
import { COLUMNS, type ColumnDefinition, type ColumnType, type OptionalInput, WINDOWS } from './schema.js';
import { OBJECTS_TABLE, REQUESTS_TABLE } from './staging.js';

export interface SqlDialect {
  /** `YYYY-MM-DD` (UTC) of a column of unix seconds */
  dayExpression(column: string): string;
}

export interface FeatureQueryOptions {
  /** `reused` horizon in seconds */
  horizon: number;
  /** optional input fields present in the staged input */
  inputs: readonly OptionalInput[];
  dialect: SqlDialect;
}

/** The temporary view the statements define; engines write `SELECT * FROM` it. */
export const FEATURES_VIEW = 'prep_features';

/** STRING rather than VARCHAR: Spark wants a length with VARCHAR, DuckDB takes both. */
const SQL_TYPES: Record<ColumnType, string> = {
  double: 'DOUBLE',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  varchar: 'STRING',
  boolean: 'BOOLEAN',
};

function columnExpression(column: ColumnDefinition, options: FeatureQueryOptions): string {
  if (column.requires && !options.inputs.includes(column.requires)) {
    return `CAST(NULL AS ${SQL_TYPES[column.type]})`;
  }
  const sql = column.sql
    .replaceAll('{horizon}', String(options.horizon))
    .replaceAll('{day}', options.dialect.dayExpression('request_time'));
  // the engines type some expressions differently (row_number() is BIGINT in DuckDB, INT in
  // Spark; sum of integers HUGEINT in DuckDB): the schema's type is what both write
  return `CAST(${sql} AS ${SQL_TYPES[column.type]})`;
}

/**
 * Marks the first request of each (object, user) pair, for the running count of distinct
 * users; nested in a CTE because a window function cannot take another one as argument.
 */
function firstUseByUser(options: FeatureQueryOptions): string {
  if (!options.inputs.includes('user')) return '0';
  return (
    'CASE WHEN user_name IS NOT NULL AND ' +
    'row_number() OVER (PARTITION BY obj, user_name ORDER BY seq) = 1 THEN 1 ELSE 0 END'
  );
}

const windowClause = (name: keyof typeof WINDOWS) => `WINDOW ${name} AS (${WINDOWS[name]})`;

/**
 * The SELECT producing one row per request with every column of the schema, in order, in
 * three passes over the staged requests, each sorting only what it needs:
 *
 * 1. the dataset windows (`datasetPass` columns), over the staged input alone;
 * 2. every per-object window, over one sort by (obj, request_time, seq);
 * 3. the object keys (`lookup` columns), strings that can be long (logical file names),
 *    joined on by obj once no sort is left to carry them.
 */
export function featureQuery(options: FeatureQueryOptions): string {
  if (!(options.horizon > 0)) throw new RangeError(`horizon must be > 0 s, got ${options.horizon}`);
  const computed = (c: ColumnDefinition) => `${columnExpression(c, options)} AS ${c.name}`;
  const datasetColumns = ['*', ...COLUMNS.filter((c) => c.datasetPass).map(computed)].map((c) => `    ${c}`);
  const objectColumns = COLUMNS.filter((c) => !c.lookup).map(
    (c) => `    ${c.datasetPass ? c.name : computed(c)}`,
  );
  const select = COLUMNS.map((c) => `  ${c.lookup ? computed(c) : `f.${c.name}`}`);
  return `WITH staged AS (
  SELECT seq, request_time, obj, size, site, user_name, dataset, opt_hit_next,
    ${firstUseByUser(options)} AS first_use_by_user
  FROM ${REQUESTS_TABLE}
),
by_dataset_pass AS (
  SELECT
${datasetColumns.join(',\n')}
  FROM staged
  ${windowClause('by_dataset')}
),
features AS (
  SELECT obj,
${objectColumns.join(',\n')}
  FROM by_dataset_pass
  ${windowClause('by_object')}
)
SELECT
${select.join(',\n')}
FROM features f JOIN ${OBJECTS_TABLE} o ON f.obj = o.obj`;
}

/** The statements an engine runs, in order, before writing `SELECT * FROM FEATURES_VIEW`. */
export function featureStatements(options: FeatureQueryOptions): string[] {
  return [`CREATE OR REPLACE TEMPORARY VIEW ${FEATURES_VIEW} AS\n${featureQuery(options)}`];
}
