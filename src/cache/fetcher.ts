/**
 * Block fetches from the origin with request collapsing: every reader of a block that is not
 * on disk attaches to the one fetch in flight for it, and reads its bytes from memory as they
 * arrive, while the whole block is written to the store once complete.
 */
import type { BufferPool } from './buffer-pool.js';
import { FileChangedError, OriginError } from './errors.js';
import type { Origin } from './origin.js';
import type { BlockStore, CachedFile } from './store.js';

/**
 * One block on its way from the origin; its pooled buffer fills from the front. The fetch and
 * each reader of its bytes hold the buffer; it goes back to the pool once the last lets go.
 */
export class BlockFetch {
  readonly data: Buffer;
  received = 0;
  error: Error | undefined;
  /** settles once the block is written to the store (or the fetch failed) */
  stored: Promise<boolean>;
  private waiters: (() => void)[] = [];
  private holders = 1;

  constructor(
    private readonly buffer: Buffer,
    length: number,
    private readonly pool: BufferPool,
  ) {
    this.data = buffer.subarray(0, length);
    this.stored = Promise.resolve(false);
  }

  /** A reader keeps the bytes until release(): after the socket took the last of them. */
  hold(): void {
    this.holders++;
  }

  release(): void {
    this.holders--;
    if (this.holders === 0) this.pool.give(this.buffer);
  }

  get complete(): boolean {
    return this.received === this.data.length;
  }

  /** Resolves once more than `position` bytes have arrived (or all have); rejects with the fetch's error. */
  async reach(position: number): Promise<void> {
    while (this.received <= position && !this.complete) {
      if (this.error) throw this.error;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.error && this.received <= position) throw this.error;
  }

  append(chunk: Buffer): void {
    chunk.copy(this.data, this.received);
    this.received += chunk.length;
    this.wake();
  }

  fail(error: Error): void {
    this.error = error;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export interface FetchEvents {
  /** a fetch's first response byte (or failure) after `seconds` */
  originLatency(seconds: number): void;
  /** a fetched block was written to disk */
  stored(file: CachedFile, index: number, bytes: number): void;
  /** writing a fetched block failed; the block stays absent */
  storeFailed(file: CachedFile, index: number, error: Error): void;
  /** the origin's file is no longer the cached one (its ETag changed) */
  changed(file: CachedFile): void;
}

export class Fetcher {
  private readonly inFlight = new Map<string, BlockFetch>();
  private roomWaiters: (() => void)[] = [];

  /**
   * `limit` bounds the fetches in flight, those whose bytes wait for the disk included: a disk
   * slower than the origin would otherwise pile fetched blocks up in memory.
   */
  constructor(
    private readonly limit: number,
    private readonly origin: Origin,
    private readonly store: BlockStore,
    private readonly pool: BufferPool,
    private readonly events: FetchEvents,
  ) {}

  /** The fetch in flight for the block, if any. */
  pending(file: CachedFile, index: number): BlockFetch | undefined {
    return this.inFlight.get(`${file.record.id}:${index}`);
  }

  /** The fetch of block `index`: the one in flight, or a new one. */
  fetch(file: CachedFile, index: number): BlockFetch {
    const key = `${file.record.id}:${index}`;
    const known = this.inFlight.get(key);
    if (known) return known;
    const fetch = new BlockFetch(this.pool.take(), file.blockLength(index), this.pool);
    this.inFlight.set(key, fetch);
    fetch.stored = this.run(file, index, fetch).finally(() => {
      this.inFlight.delete(key);
      fetch.release();
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const wake of waiters) wake();
    });
    return fetch;
  }

  private async run(file: CachedFile, index: number, fetch: BlockFetch): Promise<boolean> {
    const start = index * file.record.blockSize;
    const end = start + fetch.data.length - 1;
    const asked = performance.now();
    const url = this.origin.urlOf(file.path);
    let answered = false;
    try {
      const body = await this.origin.range(file.path, start, end, file.record.size, file.record.etag);
      answered = true;
      this.events.originLatency((performance.now() - asked) / 1000);
      for await (const chunk of body) {
        if (fetch.received + chunk.length > fetch.data.length) {
          body.cancel();
          throw new OriginError(
            url,
            'bad-response',
            `sent more than the ${fetch.data.length} bytes of block ${index}`,
          );
        }
        fetch.append(chunk);
      }
      if (!fetch.complete) {
        throw new OriginError(
          url,
          'bad-response',
          `ended block ${index} after ${fetch.received} of ${fetch.data.length} bytes`,
        );
      }
    } catch (err) {
      if (!answered) this.events.originLatency((performance.now() - asked) / 1000);
      if (err instanceof FileChangedError) this.events.changed(file);
      fetch.fail(err as Error);
      return false;
    }
    try {
      const stored = await this.store.writeBlock(file, index, fetch.data);
      if (stored) this.events.stored(file, index, fetch.data.length);
      return stored;
    } catch (err) {
      this.events.storeFailed(file, index, err as Error);
      return false;
    }
  }

  /** No new fetch should start: `limit` are in flight. */
  get full(): boolean {
    return this.inFlight.size >= this.limit;
  }

  /** Resolves once a fetch in flight has finished (a new one may start if the fetcher is no longer full). */
  finishedOne(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Blocks being fetched now (for shutdown and /healthz). */
  get active(): number {
    return this.inFlight.size;
  }

  /** Settles when every fetch in flight has been stored or has failed. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((f) => f.stored));
  }
}
