/** The embedded DuckDB prep engine (the default): in-memory tables, Parquet out. */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { NumericKeyInterner } from '../trace/keys.js';
import type { DictColumn, Trace } from '../trace/model.js';
import {
  appendColumns,
  booleanColumn,
  type ColumnWriter,
  enumColumn,
  nullColumn,
  numericColumn,
  rowNumberColumn,
  stringColumn,
  uint64Column,
} from './duckdb-load.js';
import { type EngineOptions, engineStep, type PrepEngine } from './engine.js';
import type { SqlDialect } from './sql.js';
import { NO_NEXT, OBJECTS_TABLE, REQUESTS_TABLE, type StagedInput } from './staging.js';

const NAME = 'duckdb';

export const DUCKDB_DIALECT: SqlDialect = {
  // whole days since the epoch: no time zone is involved (setting DuckDB's TimeZone needs the
  // icu extension, which may not be installable offline)
  dayExpression: (column) => `CAST(DATE '1970-01-01' + CAST(floor(${column} / 86400) AS INTEGER) AS VARCHAR)`,
};

/** Quotes a string as a DuckDB SQL literal. */
function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Share of the machine's memory DuckDB may use before spilling to its temp directory. */
const MEMORY_SHARE = 0.6;

export async function openDuckDbEngine(options: EngineOptions = {}): Promise<PrepEngine> {
  const spill = join(tmpdir(), `smartcache-duckdb-${randomBytes(6).toString('hex')}`);
  const instance = await engineStep(NAME, 'starting', () =>
    DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? availableParallelism()),
      memory_limit: `${Math.floor((totalmem() * MEMORY_SHARE) / 2 ** 20)}MB`,
      temp_directory: spill,
      preserve_insertion_order: 'false',
    }),
  );
  const connection = await instance.connect();
  return new DuckDbEngine(instance, connection, spill);
}

class DuckDbEngine implements PrepEngine {
  readonly name = NAME;
  readonly dialect = DUCKDB_DIALECT;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly spillDirectory: string,
  ) {}

  stage(input: StagedInput, onProgress?: (rows: number) => void): Promise<void> {
    return engineStep(NAME, 'staging the input', async () => {
      await this.stageRequests(input, onProgress);
      await this.stageObjects(input.trace);
    });
  }

  private async stageRequests(input: StagedInput, onProgress?: (rows: number) => void): Promise<void> {
    const { trace } = input;
    const text = async (name: string, dict: DictColumn | undefined): Promise<[string, ColumnWriter]> => {
      if (!dict) return [`${name} VARCHAR`, nullColumn()];
      // dictionary code 0 is the empty string, "not given": it becomes NULL, not a member
      const members = dict.values.slice(1).map(sqlString).join(', ');
      await this.connection.run(`CREATE OR REPLACE TYPE ${name}_enum AS ENUM (${members})`);
      return [`${name} ${name}_enum`, enumColumn(dict.codes)];
    };
    const columns: [string, ColumnWriter][] = [
      ['seq BIGINT', rowNumberColumn()],
      ['request_time DOUBLE', numericColumn(trace.time)],
      ['obj INTEGER', numericColumn(trace.obj)],
      ['size DOUBLE', numericColumn(trace.size)],
      await text('site', trace.site),
      await text('user_name', trace.user),
      await text('dataset', trace.dataset),
      ['opt_hit_next BOOLEAN', booleanColumn(input.optHitNext, NO_NEXT)],
    ];
    await this.createAndFill(REQUESTS_TABLE, columns, trace.length, onProgress);
  }

  /** Numeric keys are loaded as unsigned 64-bit words and written in decimal by DuckDB. */
  private async stageObjects(trace: Trace): Promise<void> {
    const ids = Uint32Array.from({ length: trace.objectCount }, (_, i) => i);
    const keys = trace.keys;
    if (keys instanceof NumericKeyInterner) {
      const raw = `${OBJECTS_TABLE}_raw`;
      await this.createAndFill(
        raw,
        [
          ['obj INTEGER', numericColumn(ids)],
          ['object_key UBIGINT', uint64Column((o) => keys.words(o))],
        ],
        ids.length,
      );
      await this.connection.run(
        `CREATE OR REPLACE TABLE ${OBJECTS_TABLE} AS SELECT obj, CAST(object_key AS VARCHAR) AS object_id FROM ${raw}`,
      );
      await this.connection.run(`DROP TABLE ${raw}`);
    } else {
      await this.createAndFill(
        OBJECTS_TABLE,
        [
          ['obj INTEGER', numericColumn(ids)],
          ['object_id VARCHAR', stringColumn((o) => String(keys.key(o)))],
        ],
        ids.length,
      );
    }
  }

  private async createAndFill(
    table: string,
    columns: [string, ColumnWriter][],
    rows: number,
    onProgress?: (rows: number) => void,
  ): Promise<void> {
    await this.connection.run(`CREATE OR REPLACE TABLE ${table} (${columns.map(([d]) => d).join(', ')})`);
    const writers = columns.map(([, w]) => w);
    await appendColumns(this.connection, table, rows, writers, onProgress);
  }

  async run(statements: readonly string[]): Promise<void> {
    for (const statement of statements) {
      await engineStep(NAME, `running ${statement.split('\n', 1)[0]}`, () => this.connection.run(statement));
    }
  }

  writeParquet(query: string, dir: string, partitionBy?: string): Promise<number> {
    return engineStep(NAME, `writing Parquet to ${dir}`, async () => {
      let target = `${sqlString(dir)} (FORMAT parquet, PARTITION_BY (${partitionBy}))`;
      if (!partitionBy) {
        await mkdir(dir);
        target = `${sqlString(join(dir, 'data_0.parquet'))} (FORMAT parquet)`;
      }
      const result = await this.connection.run(`COPY (${query}) TO ${target}`);
      return result.rowsChanged;
    });
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await rm(this.spillDirectory, { recursive: true, force: true });
  }
}
