/** The cache node's typed errors: each names the file (and block or origin URL) it concerns. */

/** A stored block that cannot be served: its bytes fail their checksum, or its data file is gone. */
export class BlockUnreadableError extends Error {
  constructor(
    readonly path: string,
    readonly block: number,
    readonly reason: 'checksum' | 'missing',
  ) {
    super(
      `${path}: block ${block} ${reason === 'checksum' ? 'fails its checksum' : 'is missing from its data file'}`,
    );
    this.name = 'BlockUnreadableError';
  }
}

/**
 * The origin could not give what was asked: `down` (connection refused or reset) is 502,
 * `timeout` 504, `bad-response` (a status, length or Content-Range the node cannot use) 502;
 * `status` carries a 4xx the origin answered (404, 403), passed on to the client.
 */
export class OriginError extends Error {
  constructor(
    readonly url: string,
    readonly kind: 'down' | 'timeout' | 'bad-response' | 'status',
    reason: string,
    readonly status?: number,
  ) {
    super(`origin ${url}: ${reason}`);
    this.name = 'OriginError';
  }

  /** The status the client gets. */
  get httpStatus(): number {
    if (this.kind === 'timeout') return 504;
    if (this.kind === 'status' && this.status !== undefined) return this.status;
    return 502;
  }
}

/** The origin's file changed (size, ETag or Last-Modified) while its blocks were being read. */
export class FileChangedError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} changed at the origin: ${reason}`);
    this.name = 'FileChangedError';
  }
}
