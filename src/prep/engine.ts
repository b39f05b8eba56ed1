/**
 * The contract between the prep pipeline and an SQL engine. An engine only loads the staged
 * input, runs the shared statements and writes Parquet; every feature is defined in the
 * shared SQL (src/prep/sql.ts), so all engines give the same rows.
 */
import type { SqlDialect } from './sql.js';
import type { StagedInput } from './staging.js';

export interface PrepEngine {
  readonly name: string;
  readonly dialect: SqlDialect;
  /** loads the input as the REQUESTS_TABLE and OBJECTS_TABLE tables; reports rows loaded */
  stage(input: StagedInput, onProgress?: (rows: number) => void): Promise<void>;
  run(statements: readonly string[]): Promise<void>;
  /**
   * Writes the query's rows as Parquet under `dir` (which must not exist), hive-partitioned
   * (`column=value/` folders) when `partitionBy` is given; resolves to the rows written.
   */
  writeParquet(query: string, dir: string, partitionBy?: string): Promise<number>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** worker threads (default: every core) */
  threads?: number;
  /** Spark Connect server of the spark engine (default sc://127.0.0.1:15002) */
  sparkRemote?: string;
  /**
   * Where an engine that reads its input from files (Spark) stages it, in a fresh folder
   * removed afterwards. Spark's executors must see it; the pipeline defaults it to the
   * output's parent.
   */
  stageDir?: string;
}

export type EngineFactory = (options: EngineOptions) => Promise<PrepEngine>;

/** Any failure inside an engine, with the engine and what it was doing. */
export class PrepEngineError extends Error {
  constructor(
    readonly engine: string,
    readonly action: string,
    cause: unknown,
  ) {
    super(`${engine}: ${action} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'PrepEngineError';
  }
}

/** Runs `work`, rethrowing any failure as a PrepEngineError naming the action. */
export async function engineStep<T>(engine: string, action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof PrepEngineError ? err : new PrepEngineError(engine, action, err);
  }
}
