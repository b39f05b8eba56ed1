/** Parses Spark Connect remote strings: `sc://host[:port][/;key=value;...]`, as the other Connect clients do. */

export const DEFAULT_SPARK_CONNECT_PORT = 15002;

/** Where a Spark Connect server listens and how to talk to it. */
export interface SparkRemote {
  host: string;
  port: number;
  /** TLS on the connection (`use_ssl=true`, implied by `token`). */
  useSsl: boolean;
  /** Bearer token sent with every call (`token=...`). */
  token?: string;
  /** Spark user the session belongs to (`user_id=...`). */
  userId?: string;
  /** Reuse a server-side session (`session_id=<uuid>`) instead of a new one. */
  sessionId?: string;
}

/** Thrown for a remote string that is not a valid `sc://` URL. */
export class SparkRemoteError extends Error {
  constructor(
    readonly remote: string,
    reason: string,
  ) {
    super(
      `invalid Spark Connect remote '${remote}': ${reason} (expected sc://host:port, e.g. sc://localhost:15002)`,
    );
    this.name = 'SparkRemoteError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseSparkRemote(remote: string): SparkRemote {
  const match = /^sc:\/\/([^/:;]+|\[[^\]]+\])(?::(\d+))?\/?(?:;(.*))?$/.exec(remote.trim());
  if (!match) throw new SparkRemoteError(remote, 'not of the form sc://host[:port][/;key=value;...]');
  const [, host, portText, paramText] = match;
  const port = portText === undefined ? DEFAULT_SPARK_CONNECT_PORT : Number(portText);
  if (port < 1 || port > 65535) throw new SparkRemoteError(remote, `port ${portText} out of range`);
  const parsed: SparkRemote = { host, port, useSsl: false };
  for (const pair of (paramText ?? '').split(';').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new SparkRemoteError(remote, `parameter '${pair}' is not key=value`);
    const key = pair.slice(0, eq);
    const value = decodeURIComponent(pair.slice(eq + 1));
    if (key === 'use_ssl') parsed.useSsl = value.toLowerCase() === 'true';
    else if (key === 'token') parsed.token = value;
    else if (key === 'user_id') parsed.userId = value;
    else if (key === 'session_id') {
      if (!UUID.test(value)) throw new SparkRemoteError(remote, `session_id '${value}' is not a UUID`);
      parsed.sessionId = value;
    }
    // Other keys (user_agent, grpc_max_message_size, ...) tune other clients and are safe to ignore.
  }
  if (parsed.token !== undefined) parsed.useSsl = true;
  return parsed;
}

/** `sc://host:port` without parameters, so tokens never end up in messages or logs. */
export function formatSparkRemote(remote: Pick<SparkRemote, 'host' | 'port'>): string {
  return `sc://${remote.host}:${remote.port}`;
}
