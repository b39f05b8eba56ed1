/**
 * A small Spark Connect client: runs Spark SQL on a remote Spark (or a local one started with
 * `smartcache spark start`) over gRPC and returns results as apache-arrow Tables.
 */
import { randomUUID } from 'node:crypto';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type Client, Code, ConnectError, createClient, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import type { Table } from 'apache-arrow';
import { tableFromArrowStreams } from './arrow.js';
import { SparkUnreachableError, toSparkError } from './errors.js';
import {
  type ExecutePlanResponse,
  type PlanSchema,
  SparkConnectService,
  type UserContext,
  UserContextSchema,
} from './gen/spark/connect/base_pb.js';
import { WriteOperation_SaveMode } from './gen/spark/connect/commands_pb.js';
import type { RelationSchema } from './gen/spark/connect/relations_pb.js';
import { parseSparkRemote, type SparkRemote } from './remote.js';

export interface SparkConnectOptions {
  /**
   * Spark SQL settings for this session, applied on connect. `spark.sql.session.timeZone` defaults
   * to UTC so timestamps mean the same whatever the server's time zone.
   */
  conf?: Record<string, string>;
  /** How long connect() waits for the server's first answer; default 10 s. */
  connectTimeoutMs?: number;
}

export type SaveMode = 'error' | 'overwrite' | 'append' | 'ignore';

export interface WriteParquetOptions {
  /** Columns to partition by: one `col=value/` folder level each, in this order. */
  partitionBy?: string[];
  /** What to do when the directory exists; default 'error', as in Spark. */
  mode?: SaveMode;
  /** Parquet writer options, e.g. `{ compression: 'zstd' }`. */
  options?: Record<string, string>;
}

const SAVE_MODES: Record<SaveMode, WriteOperation_SaveMode> = {
  error: WriteOperation_SaveMode.ERROR_IF_EXISTS,
  overwrite: WriteOperation_SaveMode.OVERWRITE,
  append: WriteOperation_SaveMode.APPEND,
  ignore: WriteOperation_SaveMode.IGNORE,
};

const DEFAULT_CONF = { 'spark.sql.session.timeZone': 'UTC' };
const CLIENT_TYPE = `smartcache node/${process.versions.node}`;

type PlanInit = MessageInitShape<typeof PlanSchema>;

export class SparkConnectClient {
  private constructor(
    readonly remote: SparkRemote,
    /** The server-side Spark session all calls of this client share. */
    readonly sessionId: string,
    private readonly userContext: UserContext,
    private readonly http2: Http2SessionManager,
    private readonly rpc: Client<typeof SparkConnectService>,
  ) {}

  /**
   * Opens a session on the Spark Connect server at `remote` (`sc://host:port[/;key=value...]`) and
   * applies the session settings. Throws SparkUnreachableError when no server answers.
   */
  static async connect(remote: string, options: SparkConnectOptions = {}): Promise<SparkConnectClient> {
    const parsed = parseSparkRemote(remote);
    const baseUrl = `${parsed.useSsl ? 'https' : 'http'}://${parsed.host}:${parsed.port}`;
    const http2 = new Http2SessionManager(baseUrl);
    const transport = createGrpcTransport({
      baseUrl,
      sessionManager: http2,
      interceptors: parsed.token ? [bearerToken(parsed.token)] : [],
    });
    const userId = parsed.userId ?? process.env.USER ?? 'smartcache';
    const client = new SparkConnectClient(
      parsed,
      parsed.sessionId ?? randomUUID(),
      create(UserContextSchema, { userId, userName: userId }),
      http2,
      createClient(SparkConnectService, transport),
    );
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    try {
      await client.setConf({ ...DEFAULT_CONF, ...options.conf }, timeoutMs);
    } catch (err) {
      http2.abort();
      if (err instanceof ConnectError && err.code === Code.DeadlineExceeded) {
        throw new SparkUnreachableError(parsed.host, parsed.port, `no answer within ${timeoutMs} ms`);
      }
      // this client never cancels its first call: a cancelled stream is a server going away
      if (err instanceof ConnectError && err.code === Code.Canceled) {
        throw new SparkUnreachableError(parsed.host, parsed.port, err.rawMessage);
      }
      throw toSparkError(err, parsed);
    }
    return client;
  }

  /** Runs a query (or any SQL statement) and returns its whole result as one Arrow table. */
  async sql(query: string): Promise<Table> {
    const streams: Uint8Array[] = [];
    for await (const response of this.executePlan({ opType: { case: 'root', value: sqlRelation(query) } })) {
      if (response.responseType.case === 'arrowBatch') streams.push(response.responseType.value.data);
    }
    return tableFromArrowStreams(streams);
  }

  /** Runs a statement for its effect (DDL, `SET`, `CREATE TEMP VIEW`, `INSERT`...), discarding any result. */
  async execute(statement: string): Promise<void> {
    await this.drain({
      opType: {
        case: 'command',
        value: { commandType: { case: 'sqlCommand', value: { input: sqlRelation(statement) } } },
      },
    });
  }

  /** Writes the result of `query` as Parquet files under `dir` (a path the Spark server can write). */
  async writeParquet(query: string, dir: string, options: WriteParquetOptions = {}): Promise<void> {
    const write = {
      input: sqlRelation(query),
      source: 'parquet',
      saveType: { case: 'path', value: dir },
      mode: SAVE_MODES[options.mode ?? 'error'],
      partitioningColumns: options.partitionBy ?? [],
      options: options.options ?? {},
    } as const;
    await this.drain({
      opType: { case: 'command', value: { commandType: { case: 'writeOperation', value: write } } },
    });
  }

  /** The Spark version of the server, e.g. `4.0.1`. */
  async sparkVersion(): Promise<string> {
    try {
      const response = await this.rpc.analyzePlan({
        ...this.sessionFields(),
        analyze: { case: 'sparkVersion', value: {} },
      });
      return response.result.case === 'sparkVersion' ? response.result.value.version : '';
    } catch (err) {
      throw toSparkError(err, this.remote);
    }
  }

  /**
   * Releases the server-side session and closes the connection. A server that is already gone has
   * nothing left to release, so that is not an error.
   */
  async close(): Promise<void> {
    try {
      await this.rpc.releaseSession(this.sessionFields());
    } catch (err) {
      const mapped = toSparkError(err, this.remote);
      if (!(mapped instanceof SparkUnreachableError)) throw mapped;
    } finally {
      this.http2.abort();
    }
  }

  private async setConf(conf: Record<string, string>, timeoutMs: number): Promise<void> {
    const pairs = Object.entries(conf).map(([key, value]) => ({ key, value }));
    await this.rpc.config(
      { ...this.sessionFields(), operation: { opType: { case: 'set', value: { pairs } } } },
      { timeoutMs },
    );
  }

  private async drain(plan: PlanInit): Promise<void> {
    for await (const _ of this.executePlan(plan));
  }

  private async *executePlan(plan: PlanInit): AsyncGenerator<ExecutePlanResponse> {
    try {
      yield* this.rpc.executePlan({ ...this.sessionFields(), operationId: randomUUID(), plan });
    } catch (err) {
      throw toSparkError(err, this.remote);
    }
  }

  private sessionFields() {
    return { sessionId: this.sessionId, userContext: this.userContext, clientType: CLIENT_TYPE };
  }
}

function sqlRelation(query: string): MessageInitShape<typeof RelationSchema> {
  return { relType: { case: 'sql', value: { query } } };
}

function bearerToken(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
}
