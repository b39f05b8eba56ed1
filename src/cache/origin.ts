/**
 * The cache node's origin client. It asks only for closed ranges inside the file (XRootD
 * 5.5's HTTP door mishandles open-ended, suffix and past-EOF ranges) and checks each answer's
 * status, Content-Range and length before a byte of it is used: an origin that ignores the
 * Range header (200 for a part of the file) is a 502, never a block filled with wrong bytes.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { fileUrl } from '../common/paths.js';
import { FileChangedError, OriginError } from './errors.js';

/** What the origin says about a file: its length, validators and freshness lifetime. */
export interface OriginFile {
  size: number;
  etag?: string;
  lastModified?: string;
  /** Cache-Control max-age, seconds; 0 for no-cache and no-store */
  maxAge?: number;
}

export interface OriginOptions {
  /** base URL, e.g. http://origin:1094 */
  url: string;
  /** sent as `Authorization: Bearer` */
  token?: string;
  /** no answer, or no byte, for this long: 504 */
  timeoutMs: number;
}

const DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

function maxAgeOf(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  if (/(^|,)\s*(no-cache|no-store)\b/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

function validatorsOf(response: IncomingMessage): Pick<OriginFile, 'etag' | 'lastModified' | 'maxAge'> {
  const etag = response.headers.etag;
  const lastModified = response.headers['last-modified'];
  return {
    ...(etag ? { etag } : {}),
    ...(lastModified ? { lastModified } : {}),
    ...(maxAgeOf(response.headers['cache-control']) !== undefined
      ? { maxAge: maxAgeOf(response.headers['cache-control']) }
      : {}),
  };
}

/** A checked response body; a timeout or a broken connection while reading it is an OriginError. */
export class OriginBody {
  constructor(
    private readonly response: IncomingMessage,
    private readonly url: string,
    private readonly failure: () => OriginError | undefined,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of this.response) yield chunk as Buffer;
    } catch (err) {
      throw this.failure() ?? new OriginError(this.url, 'down', `connection lost: ${(err as Error).message}`);
    }
    if (!this.response.complete) {
      throw this.failure() ?? new OriginError(this.url, 'down', 'connection closed before the body ended');
    }
  }

  /** Stops reading (the client went away). */
  cancel(): void {
    this.response.destroy();
  }
}

const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+)$/;

export class Origin {
  readonly host: string;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(private readonly options: OriginOptions) {
    const url = new URL(options.url);
    this.host = url.host;
    const https = url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = https ? httpsRequest : httpRequest;
  }

  urlOf(path: string): string {
    return fileUrl(this.options.url, path);
  }

  /**
   * Starts a request and resolves with the response head; timeouts (no answer or a stalled
   * body for timeoutMs) and connection failures become OriginErrors, on the body too.
   */
  private open(
    path: string,
    method: 'GET' | 'HEAD',
    range?: string,
  ): Promise<{ response: IncomingMessage; failure: () => OriginError | undefined }> {
    const url = this.urlOf(path);
    let failure: OriginError | undefined;
    const headers: Record<string, string> = {};
    // XRootD 5.5's HTTP door matches header names case-sensitively: `range` would be ignored
    if (range) headers.Range = range;
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    return new Promise((resolve, reject) => {
      const request: ClientRequest = this.send(url, { method, headers, agent: this.agent });
      const fail = (err: NodeJS.ErrnoException) => {
        failure ??=
          err instanceof OriginError
            ? err
            : new OriginError(url, DOWN.has(err.code ?? '') ? 'down' : 'bad-response', err.message);
        reject(failure);
        request.destroy(failure);
      };
      request.setTimeout(this.options.timeoutMs, () =>
        fail(new OriginError(url, 'timeout', `no answer or data for ${this.options.timeoutMs} ms`)),
      );
      request.on('error', fail);
      request.on('response', (response) => {
        response.on('error', () => undefined);
        resolve({ response, failure: () => failure });
      });
      request.end();
    });
  }

  private async statusError(path: string, response: IncomingMessage): Promise<OriginError> {
    response.resume();
    const url = this.urlOf(path);
    const status = response.statusCode ?? 0;
    if (status === 404 || status === 403 || status === 401 || status === 410) {
      return new OriginError(url, 'status', `answered ${status}`, status === 401 ? 403 : status);
    }
    return new OriginError(url, 'bad-response', `answered ${status}`);
  }

  /** The file's length and validators: HEAD, or a 0-0 range when HEAD gives no length. */
  async stat(path: string): Promise<OriginFile> {
    const { response: head } = await this.open(path, 'HEAD');
    head.resume();
    if (head.statusCode !== 200) throw await this.statusError(path, head);
    const length = Number(head.headers['content-length']);
    if (head.headers['content-length'] !== undefined && Number.isSafeInteger(length) && length >= 0) {
      return { size: length, ...validatorsOf(head) };
    }
    const { response: probe } = await this.open(path, 'GET', 'bytes=0-0');
    probe.resume();
    const total = CONTENT_RANGE.exec(probe.headers['content-range'] ?? '')?.[3];
    if (probe.statusCode !== 206 || total === undefined) {
      throw new OriginError(this.urlOf(path), 'bad-response', 'gives neither a length nor a Content-Range');
    }
    return { size: Number(total), ...validatorsOf(probe) };
  }

  /**
   * Bytes [start, end] (inclusive, inside a file of `size` bytes) as a checked response body:
   * 206 with exactly that Content-Range, or 200 when the range is the whole file. The ETag,
   * when both sides have one, must be `etag`, else FileChangedError.
   */
  async range(
    path: string,
    start: number,
    end: number,
    size: number,
    etag: string | undefined,
  ): Promise<OriginBody> {
    const url = this.urlOf(path);
    const { response, failure } = await this.open(path, 'GET', `bytes=${start}-${end}`);
    const status = response.statusCode;
    const length = Number(response.headers['content-length']);
    const wholeFile = start === 0 && end === size - 1;
    if (status === 206) {
      const match = CONTENT_RANGE.exec(response.headers['content-range'] ?? '');
      if (!match || Number(match[1]) !== start || Number(match[2]) !== end || Number(match[3]) !== size) {
        response.resume();
        throw new OriginError(
          url,
          'bad-response',
          `asked bytes ${start}-${end}/${size}, got Content-Range ${response.headers['content-range'] ?? 'none'}`,
        );
      }
    } else if (!(status === 200 && wholeFile)) {
      throw await this.statusError(path, response);
    }
    if (response.headers['content-length'] !== undefined && length !== end - start + 1) {
      response.resume();
      throw new OriginError(url, 'bad-response', `asked ${end - start + 1} bytes, Content-Length ${length}`);
    }
    const originTag = response.headers.etag;
    if (etag !== undefined && originTag !== undefined && originTag !== etag) {
      response.resume();
      throw new FileChangedError(path, `ETag ${etag} became ${originTag}`);
    }
    return new OriginBody(response, url, failure);
  }

  close(): void {
    this.agent.destroy();
  }
}
