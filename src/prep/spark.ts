/**
 * The Spark prep engine: the shared feature SQL runs on a Spark Connect server. The staged
 * input reaches Spark as Parquet files that an embedded DuckDB writes, since Spark reads
 * files and the trace lives in this process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openDuckDbEngine } from './duckdb.js';
import { type EngineOptions, engineStep, type PrepEngine } from './engine.js';
import { SparkConnectClient } from './spark/connect.js';
import { LOCAL_SPARK_HOST } from './spark/local-server.js';
import { DEFAULT_SPARK_CONNECT_PORT, formatSparkRemote } from './spark/remote.js';
import type { SqlDialect } from './sql.js';
import { OBJECTS_TABLE, REQUESTS_TABLE, type StagedInput } from './staging.js';

const NAME = 'spark';

export const DEFAULT_SPARK_REMOTE = formatSparkRemote({
  host: LOCAL_SPARK_HOST,
  port: DEFAULT_SPARK_CONNECT_PORT,
});

export const SPARK_DIALECT: SqlDialect = {
  dayExpression: (column) =>
    `CAST(date_add(DATE '1970-01-01', CAST(floor(${column} / 86400) AS INT)) AS STRING)`,
};

/** A path as a Spark SQL identifier, for `parquet.\`path\``. */
function quotedPath(path: string): string {
  return `\`${path.replaceAll('`', '``')}\``;
}

/** Site, user and dataset are DuckDB ENUMs when staged; Spark gets them as plain strings. */
const STAGED_REQUESTS = `SELECT seq, request_time, obj, size, CAST(site AS VARCHAR) AS site,
  CAST(user_name AS VARCHAR) AS user_name, CAST(dataset AS VARCHAR) AS dataset, opt_hit_next
FROM ${REQUESTS_TABLE}`;

/**
 * Connects first, so an unreachable server fails before any work with the client's
 * SparkUnreachableError (host, port and how to start a server).
 */
export async function openSparkEngine(options: EngineOptions = {}): Promise<PrepEngine> {
  const client = await SparkConnectClient.connect(options.sparkRemote ?? DEFAULT_SPARK_REMOTE);
  return new SparkEngine(client, resolve(options.stageDir ?? '.'), options);
}

class SparkEngine implements PrepEngine {
  readonly name = NAME;
  readonly dialect = SPARK_DIALECT;
  private stageFolder: string | undefined;

  constructor(
    private readonly client: SparkConnectClient,
    private readonly stageParent: string,
    private readonly options: EngineOptions,
  ) {}

  stage(input: StagedInput, onProgress?: (rows: number) => void): Promise<void> {
    return engineStep(NAME, `staging the input in ${this.stageParent}`, async () => {
      this.stageFolder = await mkdtemp(join(this.stageParent, '.smartcache-spark-stage-'));
      const files = { [REQUESTS_TABLE]: STAGED_REQUESTS, [OBJECTS_TABLE]: `SELECT * FROM ${OBJECTS_TABLE}` };
      const duckdb = await openDuckDbEngine(this.options);
      try {
        await duckdb.stage(input, onProgress);
        for (const [table, query] of Object.entries(files)) {
          await duckdb.writeParquet(query, join(this.stageFolder, table));
        }
      } finally {
        await duckdb.close();
      }
      for (const table of Object.keys(files)) {
        await this.client.execute(
          `CREATE OR REPLACE TEMPORARY VIEW ${table} AS SELECT * FROM parquet.${quotedPath(join(this.stageFolder, table))}`,
        );
      }
    });
  }

  async run(statements: readonly string[]): Promise<void> {
    for (const statement of statements) {
      await engineStep(NAME, `running ${statement.split('\n', 1)[0]}`, () => this.client.execute(statement));
    }
  }

  writeParquet(query: string, dir: string, partitionBy?: string): Promise<number> {
    const target = resolve(dir);
    return engineStep(NAME, `writing Parquet to ${target}`, async () => {
      await this.client.writeParquet(query, target, { partitionBy: partitionBy ? [partitionBy] : [] });
      // counting the files written reads their footers, rather than computing the query again
      const counted = await this.client.sql(`SELECT count(*) AS n FROM parquet.${quotedPath(target)}`);
      return Number(counted.get(0)?.n);
    });
  }

  async close(): Promise<void> {
    try {
      await this.client.close();
    } finally {
      if (this.stageFolder) await rm(this.stageFolder, { recursive: true, force: true });
    }
  }
}
