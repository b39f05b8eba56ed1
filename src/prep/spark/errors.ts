/** Typed errors of the Spark Connect client: the server rejected a call, or there is no server to ask. */
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { formatSparkRemote, type SparkRemote } from './remote.js';

/** Spark ran the call and failed it: bad SQL, a missing table, a failed job. */
export class SparkError extends Error {
  constructor(
    message: string,
    /** Spark's error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`, when the server sent one. */
    readonly errorClass: string | undefined,
    /** The ANSI SQL state, e.g. `42P01`, when the server sent one. */
    readonly sqlState: string | undefined,
    /** The gRPC status code name, e.g. `Internal`, `InvalidArgument`. */
    readonly grpcCode: string,
  ) {
    super(message);
    this.name = 'SparkError';
  }
}

/** No Spark Connect server answered at host:port. */
export class SparkUnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(
      `cannot reach a Spark Connect server at ${formatSparkRemote({ host, port })} (${reason}). ` +
        `Start a local one with \`smartcache spark start --port ${port}\`, ` +
        'or point --spark-remote at a running server (sc://host:port).',
    );
    this.name = 'SparkUnreachableError';
  }
}

const CONNECTION_LOSS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTCONN']);

/** A socket that was reset or refused (a server going away) surfaces with codes other than Unavailable. */
function isConnectionLoss(err: ConnectError): boolean {
  const cause = err.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string'
    ? CONNECTION_LOSS.has(cause.code)
    : /\bECONN(RESET|REFUSED)\b/.test(err.rawMessage);
}

/** Maps what a Connect call threw to SparkUnreachableError, SparkError, or the original error. */
export function toSparkError(err: unknown, remote: SparkRemote): Error {
  if (!(err instanceof ConnectError)) return err instanceof Error ? err : new Error(String(err));
  if (err.code === Code.Unavailable || isConnectionLoss(err))
    return new SparkUnreachableError(remote.host, remote.port, err.rawMessage);
  const info = err.findDetails(ErrorInfoSchema)[0];
  return new SparkError(
    err.rawMessage.trim(),
    info?.metadata.errorClass,
    info?.metadata.sqlState,
    Code[err.code] ?? String(err.code),
  );
}
