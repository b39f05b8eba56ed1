/** Helpers for the prep tests: running the pipeline on a trace and reading its Parquet back. */
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbEngine } from '../../src/prep/duckdb.js';
import type { EngineFactory } from '../../src/prep/engine.js';
import { type PrepOptions, prepare } from '../../src/prep/pipeline.js';
import type { FeatureSet } from '../../src/prep/schema.js';
import type { Trace } from '../../src/trace/model.js';
import { tempPath } from '../helpers.js';

export type Row = Record<string, number | string | boolean | null>;

export async function prepTrace(
  trace: Trace,
  options: Partial<PrepOptions> = {},
  engine: EngineFactory = openDuckDbEngine,
): Promise<FeatureSet> {
  return prepare(
    { trace, file: 'test-trace', format: 'test' },
    { out: tempPath('features'), engine, ...options },
  );
}

async function query<T>(sql: string, read: (rows: Record<string, unknown>[]) => T): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return read((await connection.runAndReadAll(sql)).getRowObjectsJS());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function parquetIn(dir: string): string {
  return `read_parquet('${dir}/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)`;
}

/** Every row of a prepared dataset in seq order, bigints as numbers. */
export function readFeatures(dir: string): Promise<Row[]> {
  return query(`SELECT * FROM ${parquetIn(dir)} ORDER BY seq`, (rows) =>
    rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : (v as Row[string])]),
      ),
    ),
  );
}

/** Column name -> DuckDB type name of a prepared dataset. */
export function readColumnTypes(dir: string): Promise<Map<string, string>> {
  return query(
    `DESCRIBE SELECT * FROM ${parquetIn(dir)}`,
    (rows) => new Map(rows.map((r) => [String(r.column_name), String(r.column_type)])),
  );
}

/**
 * Rows equal column by column; doubles within 1e-9 (relative for large values). Returns the
 * largest difference between two doubles that were not exactly equal.
 */
export function assertSameRows(actual: Row[], expected: Row[], columns: readonly string[]): number {
  assert.equal(actual.length, expected.length, 'row count');
  let largest = 0;
  for (let i = 0; i < expected.length; i++) {
    for (const column of columns) {
      const [a, e] = [actual[i][column], expected[i][column]];
      const message = `row ${i} (seq ${expected[i].seq}) column ${column}: ${a} != ${e}`;
      if (typeof a === 'number' && typeof e === 'number' && !Number.isInteger(e)) {
        largest = Math.max(largest, Math.abs(a - e));
        assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), message);
      } else {
        assert.equal(a, e, message);
      }
    }
  }
  return largest;
}
