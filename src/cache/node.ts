/**
 * The cache node: an HTTP/1.1 file server in front of an origin. Files are stored as blocks
 * (store.ts), fetched from the origin block by block with collapsing (fetcher.ts), admitted
 * and evicted whole by one decision object (an OnlineCache over a simulator policy), and
 * every file close is logged as XCache logs it (access-log.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { filePath, PathError } from '../common/paths.js';
import type { OnlineCache, Outcome } from '../sim/online.js';
import { lfnDataset } from '../trace/lfn.js';
import { AccessLog } from './access-log.js';
import { BufferPool } from './buffer-pool.js';
import { BlockUnreadableError, FileChangedError, OriginError } from './errors.js';
import { type BlockFetch, Fetcher } from './fetcher.js';
import { CacheMetrics } from './metrics.js';
import { ModelClient, type ModelClientOptions } from './model-client.js';
import { ModelScoring } from './model-scoring.js';
import { Origin, type OriginBody, type OriginFile } from './origin.js';
import {
  type ByteRange,
  contentRange,
  evaluatePreconditions,
  multipartLayout,
  parseRange,
  rangeApplies,
} from './ranges.js';
import { BlockStore, type CachedFile, type DiskReads } from './store.js';

export interface ClientAuth {
  /** a static bearer token */
  token?: string;
  /** JWKS whose keys sign accepted JWTs */
  jwks?: JSONWebKeySet;
  audience?: string;
  issuer?: string;
}

export interface CacheNodeOptions {
  dir: string;
  origin: string;
  /** bytes; a multiple of PAGE_SIZE */
  blockSize: number;
  /** blocks fetched ahead of the one read */
  prefetch: number;
  diskReads: DiskReads;
  /** bytes of blocks on their way from the origin to disk, at most; reads of more blocks wait */
  fetchMemory: number;
  /** seconds a file's validators are trusted when the origin gives no max-age */
  revalidate: number;
  originTimeoutMs: number;
  originToken?: string;
  site: string;
  /**
   * The one object through which admission and eviction are decided: a registry policy run
   * online. It books whole files, reserving a file's full size at admission, as the simulator does.
   */
  decisions: OnlineCache;
  /** admission asked of a model service (with a `learned-admit` policy whose scores the host provides) */
  model?: ModelClientOptions & { historyFiles: number };
  /** the access log file */
  accessLog: string;
  auth?: ClientAuth;
  adminToken?: string;
  tls?: { cert: Buffer; key: Buffer };
  /** no request logs */
  quiet?: boolean;
}

/** Free block buffers kept for reuse (a block each: 64 MiB at the default 1 MiB blocks). */
const POOLED_BUFFERS = 64;

/** Header by which a client names its site (as for the redirector). */
export const SITE_HEADER = 'x-smartcache-site';
/** The decision for the file's open: hit, admit or bypass. */
export const DECISION_HEADER = 'x-smartcache-decision';

type Level = 'info' | 'warn' | 'error';

/** One JSON line on stdout, the node's log format. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/** Writes with backpressure; `written` runs once the socket no longer needs `chunk`. */
async function send(res: ServerResponse, chunk: Uint8Array, written?: () => void): Promise<void> {
  if (res.destroyed) {
    written?.();
    throw new ClientGoneError();
  }
  if (res.write(chunk, written)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new ClientGoneError());
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** What one GET books: bytes by origin, work done for it, for the access log and metrics. */
interface Transfer {
  hit: number;
  miss: number;
  bypass: number;
  prefetch: number;
  checksumErrors: number;
  /** fetches this transfer started, settling true when their block was stored */
  stores: { length: number; stored: Promise<boolean> }[];
}

/** Where a block's bytes come from: checked bytes read from disk into a pooled buffer, or its fetch. */
type BlockSource = { disk: Buffer; buffer: Buffer } | { fetch: BlockFetch };

/** The state of a file at its open: the validators served, and the cached file unless bypassed. */
interface Opened {
  meta: OriginFile;
  file?: CachedFile;
  decision?: Outcome;
}

export class CacheNode {
  readonly metrics: CacheMetrics;
  private readonly origin: Origin;
  private readonly fetcher: Fetcher;
  private readonly log: AccessLog;
  private readonly pool: BufferPool;
  private readonly keys: JWTVerifyGetKey | undefined;
  private readonly opening = new Map<string, Promise<unknown>>();
  private readonly scoring: ModelScoring | undefined;
  private lastModelFailure: string | undefined;
  /** the model version of the service's latest answer: a new default version shows here without a restart */
  private modelVersion: number | undefined;
  private server!: Server;
  private lastOpen = 0;
  private transfers = 0;
  /** closes of finished transfers still being booked (they wait for their block writes) */
  private readonly booking = new Set<Promise<void>>();
  private closing = false;
  url = '';

  private constructor(
    private readonly options: CacheNodeOptions,
    readonly store: BlockStore,
  ) {
    this.metrics = new CacheMetrics(() => ({ bytes: store.diskBytes, files: store.fileCount }));
    this.origin = new Origin({
      url: options.origin,
      token: options.originToken,
      timeoutMs: options.originTimeoutMs,
    });
    this.pool = new BufferPool(options.blockSize, POOLED_BUFFERS);
    this.fetcher = new Fetcher(
      Math.max(1, Math.floor(options.fetchMemory / options.blockSize)),
      this.origin,
      store,
      this.pool,
      {
        originLatency: (seconds) => this.metrics.originLatency.observe(seconds),
        stored: (_file, _index, bytes) => this.metrics.written.inc(bytes),
        storeFailed: (file, index, err) =>
          log('error', 'block write failed', { path: file.path, block: index, error: err.message }),
        changed: (file) => {
          if (this.store.get(file.path) !== file) return;
          log('info', 'file changed at the origin', { path: file.path, was: file.record.etag });
          void this.dropFile(file.path, 'changed');
        },
      },
    );
    this.scoring = options.model ? this.modelScoring(options.model) : undefined;
    this.log = new AccessLog(options.accessLog);
    this.keys = options.auth?.jwks ? createLocalJWKSet(options.auth.jwks) : undefined;
  }

  /** Opens the store (recovering it), restores its files into the policy and listens. */
  static async start(options: CacheNodeOptions, host: string, port: number): Promise<CacheNode> {
    const store = await BlockStore.open(options.dir, {
      blockSize: options.blockSize,
      diskReads: options.diskReads,
      onAccessFlushError: (err) => log('error', 'index update of file opens failed', { error: err.message }),
    });
    const node = new CacheNode(options, store);
    await node.restore();
    const handler = (req: IncomingMessage, res: ServerResponse) => node.handle(req, res);
    node.server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);
    await new Promise<void>((resolve, reject) => {
      node.server.once('error', reject);
      node.server.listen(port, host, () => resolve());
    });
    const address = node.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    node.url = `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
    log('info', 'cache node ready', {
      url: node.url,
      files: store.fileCount,
      diskBytes: store.diskBytes,
      origin: options.origin,
    });
    return node;
  }

  /** Files found in the index re-enter the policy, oldest first; what no longer fits leaves. */
  private async restore(): Promise<void> {
    const { decisions } = this.options;
    const evicted: string[] = [];
    for (const file of this.store.list()) {
      evicted.push(...decisions.restore(file.path, file.record.size, file.record.lastAccess));
    }
    evicted.push(...decisions.trim());
    for (const path of evicted) {
      await this.store.remove(path);
      this.metrics.evictions.inc({ reason: 'policy' });
    }
  }

  private modelScoring(options: ModelClientOptions & { historyFiles: number }): ModelScoring {
    const client = new ModelClient(options, (_rows, seconds, reason) => {
      this.metrics.modelLatency.observe(seconds);
      if (reason !== this.lastModelFailure) {
        if (reason)
          log('warn', 'model service failed, the fallback decides', { reason, fallback: options.fallback });
        else log('info', 'model service answers again');
        this.lastModelFailure = reason;
      }
    });
    return new ModelScoring(client, options.historyFiles);
  }

  /** The model service's admission of this open as a score for the policy: 1 admits, 0 does not. */
  private async modelScore(path: string, size: number, time: number, user: string): Promise<number> {
    const answer = await (this.scoring as ModelScoring).admission(path, size, time, user);
    this.metrics.modelDecisions.inc({ source: answer.fallbackReason === undefined ? 'model' : 'fallback' });
    if (answer.version !== undefined) {
      this.modelVersion = answer.version;
      this.metrics.modelVersion.set(answer.version);
    }
    return answer.admit ? 1 : 0;
  }

  /** Stops accepting requests, lets running transfers finish, then closes the store. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
    await this.fetcher.drain();
    await Promise.all(this.booking);
    this.scoring?.close();
    await this.log.close();
    this.origin.close();
    await this.store.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    res.on('finish', () => {
      this.metrics.requests.inc({ method: req.method ?? '', status: String(res.statusCode) });
      if (!this.options.quiet) {
        log('info', 'request', {
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
      }
      if (this.closing) this.server.closeIdleConnections();
    });
    if (this.closing) res.setHeader('connection', 'close');
    try {
      await this.route(req, res);
    } catch (err) {
      this.fail(res, err as Error, req.url ?? '');
    }
  }

  private fail(res: ServerResponse, err: Error, url: string): void {
    if (err instanceof ClientGoneError) return;
    if (err instanceof OriginError) this.metrics.originErrors.inc({ kind: err.kind });
    if (err instanceof FileChangedError) this.metrics.originErrors.inc({ kind: 'changed' });
    if (res.headersSent) {
      log('warn', 'transfer aborted', { url, error: err.message });
      res.destroy();
      return;
    }
    const status =
      err instanceof PathError
        ? 400
        : err instanceof OriginError
          ? err.httpStatus
          : err instanceof FileChangedError
            ? 502
            : 500;
    if (status === 500) log('error', 'request failed', { url, error: err.message, stack: err.stack });
    this.json(res, status, { error: err.message });
  }

  private json(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    if (pathname === '/healthz') return this.json(res, 200, this.health());
    if (pathname === '/readyz') {
      return this.json(res, this.closing ? 503 : 200, { status: this.closing ? 'closing' : 'ready' });
    }
    if (pathname === '/metrics') {
      const text = await this.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
      return void res.end(text);
    }
    if (pathname.startsWith('/admin/')) return this.admin(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return this.json(res, 405, { error: `method ${req.method} not allowed` }, { allow: 'GET, HEAD' });
    }
    const path = filePath(url);
    const user = await this.authenticate(req);
    if (user === undefined) {
      return this.json(
        res,
        401,
        { error: 'a valid bearer token is required' },
        { 'www-authenticate': 'Bearer' },
      );
    }
    await this.serveFile(req, res, path, user);
  }

  health(): Record<string, unknown> {
    return {
      status: this.closing ? 'closing' : 'ok',
      diskBytes: this.store.diskBytes,
      files: this.store.fileCount,
      policyBytes: this.options.decisions.occupied,
      policyFiles: this.options.decisions.residents,
      transfers: this.transfers,
      blockFetches: this.fetcher.active,
      ...(this.modelVersion === undefined ? {} : { modelVersion: this.modelVersion }),
    };
  }

  /** The client's identity: '' when anonymous access is allowed, undefined when refused. */
  private async authenticate(req: IncomingMessage): Promise<string | undefined> {
    const auth = this.options.auth;
    if (!auth?.token && !this.keys) return '';
    const header = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (bearer === undefined) return undefined;
    if (auth?.token && sameSecret(bearer, auth.token)) return '';
    if (!this.keys) return undefined;
    try {
      const { payload } = await jwtVerify(bearer, this.keys, {
        audience: auth?.audience,
        issuer: auth?.issuer,
      });
      return payload.sub ?? '';
    } catch {
      return undefined;
    }
  }

  private async admin(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const token = this.options.adminToken;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || bearer === undefined || !sameSecret(bearer, token)) {
      return this.json(res, 403, { error: 'admin routes need --admin-token and its bearer token' });
    }
    const query = new URL(url, 'http://node').searchParams;
    const route = url.split('?')[0];
    if (req.method !== 'POST' || route !== '/admin/evict') {
      return this.json(res, 404, { error: 'admin route is POST /admin/evict?path=P or ?prefix=P' });
    }
    const path = query.get('path');
    const prefix = query.get('prefix');
    if ((path === null) === (prefix === null)) {
      return this.json(res, 400, { error: 'give exactly one of path= and prefix=' });
    }
    const paths =
      path !== null ? [filePath(path)].filter((p) => this.store.get(p)) : this.underPrefix(prefix!);
    for (const p of paths) await this.dropFile(p, 'admin');
    log('info', 'admin eviction', { path, prefix, files: paths.length });
    this.json(res, 200, { evicted: paths });
  }

  private underPrefix(prefix: string): string[] {
    const normal = filePath(prefix);
    return this.store.pathsUnder(prefix.endsWith('/') ? `${normal}/` : normal);
  }

  /** Removes a file for the node's own reason (changed, admin): from the policy and the store. */
  private async dropFile(path: string, reason: 'changed' | 'admin'): Promise<void> {
    this.options.decisions.remove(path);
    await this.store.remove(path);
    this.metrics.evictions.inc({ reason });
  }

  /** Runs `open` for a path after the opens of that path already running (one decision at a time). */
  private serialised<T>(path: string, open: () => Promise<T>): Promise<T> {
    const before = this.opening.get(path) ?? Promise.resolve();
    const result = before.then(open);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.opening.set(path, settled);
    void settled.then(() => {
      if (this.opening.get(path) === settled) this.opening.delete(path);
    });
    return result;
  }

  private isFresh(file: CachedFile, now: number): boolean {
    const lifetime = file.record.maxAge ?? this.options.revalidate;
    return now - file.record.checkedAt < lifetime;
  }

  /**
   * The file's validators, revalidated when stale (a changed file drops its blocks), and for a
   * GET the policy's decision, applied: evicted files deleted, an admitted file recorded.
   */
  private open(path: string, get: boolean, time: number, user: string): Promise<Opened> {
    return this.serialised(path, async () => {
      const now = Date.now() / 1000;
      let file = this.store.get(path);
      let meta: OriginFile | undefined;
      if (file && !this.isFresh(file, now)) {
        meta = await this.origin.stat(path);
        const known = file.record;
        if (
          meta.size !== known.size ||
          meta.etag !== known.etag ||
          meta.lastModified !== known.lastModified
        ) {
          log('info', 'file changed at the origin', { path, was: known.etag, now: meta.etag });
          await this.dropFile(path, 'changed');
          file = undefined;
        } else {
          await this.store.confirm(file, now, meta.maxAge);
        }
      }
      meta ??= file ? file.record : await this.origin.stat(path);
      if (!get) return { meta, file };
      const score = this.scoring ? await this.modelScore(path, meta.size, time, user) : undefined;
      const decision = this.options.decisions.request(path, meta.size, time, {
        user,
        dataset: lfnDataset(path),
        score,
      });
      this.metrics.opens.inc({ decision: decision.outcome });
      for (const key of decision.evicted) {
        await this.store.remove(key);
        this.metrics.evictions.inc({ reason: 'policy' });
      }
      if (decision.outcome === 'bypass') {
        if (file) await this.store.remove(path);
        return { meta, decision: decision.outcome };
      }
      file ??= await this.store.create(path, { ...meta, checkedAt: now }, time);
      return { meta, file, decision: decision.outcome };
    });
  }

  /** Open times strictly increase, so the access log replays in the order the policy saw. */
  private openTime(): number {
    this.lastOpen = Math.max(Date.now() / 1000, this.lastOpen + 1e-6);
    return this.lastOpen;
  }

  private async serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    user: string,
  ): Promise<void> {
    const get = req.method === 'GET';
    const attach = get ? this.openTime() : 0;
    const opened = await this.open(path, get, attach, user);
    const { meta, file } = opened;
    const transfer: Transfer = { hit: 0, miss: 0, bypass: 0, prefetch: 0, checksumErrors: 0, stores: [] };
    if (get) {
      this.transfers++;
      res.once('close', () => {
        this.transfers--;
        const booked = this.closeFile(path, opened, transfer, attach, site(req, this.options.site), user);
        this.booking.add(booked);
        void booked.finally(() => this.booking.delete(booked));
      });
    }
    const headers: Record<string, string | number> = {
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    if (meta.etag) headers.etag = meta.etag;
    if (meta.lastModified) headers['last-modified'] = meta.lastModified;
    if (opened.decision) headers[DECISION_HEADER] = opened.decision;
    const precondition = evaluatePreconditions(req.headers, meta);
    if (precondition !== 'proceed') {
      res.writeHead(precondition === 'failed' ? 412 : 304, precondition === 'failed' ? {} : headers);
      return void res.end();
    }
    const asked = get && rangeApplies(header(req.headers['if-range']), meta) ? req.headers.range : undefined;
    const answer = parseRange(asked, meta.size);
    if (answer.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${meta.size}` });
      return void res.end();
    }
    if (!get) {
      res.writeHead(200, { ...headers, 'content-length': meta.size });
      return void res.end();
    }
    const ranges = answer.kind === 'full' ? [{ start: 0, end: meta.size - 1 }] : answer.ranges;
    const body = (range: ByteRange, ready: () => void) =>
      file
        ? this.serveCached(res, file, range, transfer, ready)
        : this.serveBypass(res, path, meta, range, transfer, ready);
    if (ranges.length === 1) {
      const [range] = ranges;
      const status = answer.kind === 'full' ? 200 : 206;
      const length = meta.size === 0 ? 0 : range.end - range.start + 1;
      if (answer.kind === 'partial') headers['content-range'] = contentRange(range, meta.size);
      const head = () => res.writeHead(status, { ...headers, 'content-length': length });
      if (meta.size === 0) {
        head();
        return void res.end();
      }
      await body(range, head);
      return void res.end();
    }
    const layout = multipartLayout(ranges, meta.size, 'application/octet-stream');
    const head = () =>
      res.writeHead(206, { ...headers, 'content-type': layout.contentType, 'content-length': layout.length });
    for (const [i, part] of layout.parts.entries()) {
      await body(part.range, () => {
        if (i === 0) head();
        res.write(part.head);
      });
    }
    await send(res, layout.tail);
    res.end();
  }

  /**
   * Sends `range` of a cached file block by block: present blocks from disk (checked), others
   * from their fetch as its bytes arrive. `ready` runs once the first byte is at hand, so that
   * an origin failure before it is still an HTTP error.
   */
  private async serveCached(
    res: ServerResponse,
    file: CachedFile,
    range: ByteRange,
    transfer: Transfer,
    ready: () => void,
  ): Promise<void> {
    const blockSize = file.record.blockSize;
    let first = true;
    for (
      let index = Math.floor(range.start / blockSize);
      index <= Math.floor(range.end / blockSize);
      index++
    ) {
      const blockStart = index * blockSize;
      const from = Math.max(range.start, blockStart) - blockStart;
      const to = Math.min(range.end + 1, blockStart + file.blockLength(index)) - blockStart;
      this.prefetch(file, index, transfer);
      const source = await this.blockBytes(file, index, from, to, transfer);
      if (first) {
        ready();
        first = false;
      }
      await this.sendBlock(res, from, to, source, transfer);
    }
  }

  /**
   * The source of a block's bytes: its checked bytes from disk, or (absent, or failing its
   * checksum) the fetch that brings it, once it has the byte at `from`.
   */
  private async blockBytes(
    file: CachedFile,
    index: number,
    from: number,
    to: number,
    transfer: Transfer,
  ): Promise<BlockSource> {
    while (!file.present[index] && !this.fetcher.pending(file, index) && this.fetcher.full) {
      await this.fetcher.finishedOne();
    }
    if (file.present[index] && !this.fetcher.pending(file, index)) {
      const buffer = this.pool.take();
      try {
        const disk = await this.store.readBlock(file, index, from, to, buffer);
        return { disk, buffer };
      } catch (err) {
        this.pool.give(buffer);
        if (!(err instanceof BlockUnreadableError)) throw err;
        if (this.store.get(file.path) === file) {
          this.metrics.checksumErrors.inc();
          transfer.checksumErrors++;
          log('warn', 'stored block unreadable, fetching it again', {
            path: file.path,
            block: index,
            reason: err.reason,
          });
          await this.store.dropBlock(file, index);
        }
      }
    }
    const fetch = this.startFetch(file, index, transfer);
    fetch.hold();
    try {
      await fetch.reach(from);
    } catch (err) {
      fetch.release();
      throw err;
    }
    return { fetch };
  }

  private startFetch(file: CachedFile, index: number, transfer: Transfer): BlockFetch {
    const started = this.fetcher.pending(file, index) === undefined;
    const fetch = this.fetcher.fetch(file, index);
    if (started) transfer.stores.push({ length: fetch.data.length, stored: fetch.stored });
    return fetch;
  }

  /** Sends bytes [from, to) of a block from its source. */
  private async sendBlock(
    res: ServerResponse,
    from: number,
    to: number,
    source: BlockSource,
    transfer: Transfer,
  ): Promise<void> {
    if ('disk' in source) {
      transfer.hit += source.disk.length;
      return send(res, source.disk, () => this.pool.give(source.buffer));
    }
    const { fetch } = source;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      fetch.release();
    };
    try {
      let at = from;
      while (at < to) {
        await fetch.reach(at);
        const upto = Math.min(fetch.received, to);
        transfer.miss += upto - at;
        await send(res, fetch.data.subarray(at, upto), upto === to ? release : undefined);
        at = upto;
      }
    } catch (err) {
      // the response is destroyed on any error here, so the socket reads no more of the buffer
      release();
      throw err;
    }
  }

  /** Starts fetching the `--prefetch` blocks after `index` that are neither present nor on their way. */
  private prefetch(file: CachedFile, index: number, transfer: Transfer): void {
    const last = Math.min(file.blockCount - 1, index + this.options.prefetch);
    for (let next = index + 1; next <= last; next++) {
      if (file.present[next] || this.fetcher.pending(file, next)) continue;
      if (this.fetcher.full) return;
      transfer.prefetch += file.blockLength(next);
      this.startFetch(file, next, transfer);
    }
  }

  /** Sends `range` of a file that is not cached, straight from the origin. */
  private async serveBypass(
    res: ServerResponse,
    path: string,
    meta: OriginFile,
    range: ByteRange,
    transfer: Transfer,
    ready: () => void,
  ): Promise<void> {
    let body: OriginBody;
    const asked = performance.now();
    try {
      body = await this.origin.range(path, range.start, range.end, meta.size, meta.etag);
    } finally {
      this.metrics.originLatency.observe((performance.now() - asked) / 1000);
    }
    ready();
    try {
      for await (const chunk of body) {
        transfer.bypass += chunk.length;
        await send(res, chunk);
      }
    } catch (err) {
      body.cancel();
      throw err;
    }
  }

  /** Books a finished (or abandoned) GET: metrics, policy metadata, one access-log line. */
  private async closeFile(
    path: string,
    opened: Opened,
    transfer: Transfer,
    attach: number,
    clientSite: string,
    user: string,
  ): Promise<void> {
    this.metrics.bytes.inc({ outcome: 'hit' }, transfer.hit);
    this.metrics.bytes.inc({ outcome: 'miss' }, transfer.miss);
    this.metrics.bytes.inc({ outcome: 'bypass' }, transfer.bypass);
    const detach = Date.now() / 1000;
    const { file, meta } = opened;
    let todisk = 0;
    for (const { length, stored } of transfer.stores) if (await stored) todisk += length;
    if (file) this.store.touch(file, attach);
    const blockSize = this.options.blockSize;
    this.log.write({
      event: 'file_close',
      lfn: path,
      size: meta.size,
      blk_size: blockSize,
      n_blks: Math.ceil(meta.size / blockSize),
      n_blks_done: file ? file.record.presentBlocks : 0,
      access_cnt: file ? file.record.accessCount : 1,
      attach_t: attach,
      detach_t: detach,
      remotes: [this.origin.host],
      b_hit: transfer.hit,
      b_miss: transfer.miss,
      b_bypass: transfer.bypass,
      b_todisk: todisk,
      b_prefetch: transfer.prefetch,
      n_cks_errs: transfer.checksumErrors,
      site_name: clientSite,
      // only JWTs name users: without them the log, like the policy, has no user
      ...(this.keys ? { user_dn: user } : {}),
    });
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function site(req: IncomingMessage, fallback: string): string {
  const named = header(req.headers[SITE_HEADER]);
  return named || fallback;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
