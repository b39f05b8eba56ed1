/**
 * The cache node's storage: one sparse data file per cached file, its blocks written at their
 * block offsets, and an LMDB index holding each file's record (size, validators, policy
 * metadata) and one entry per present block (the xxhash64 of each of its pages).
 *
 * Ordering is what makes `kill -9` safe at any moment:
 * - a block enters the index only after its bytes are written and fdatasync'ed, in a
 *   transaction that checks the file is still the one the bytes were written for;
 * - bytes written but not indexed are never read: only indexed blocks are served, and every
 *   page read is checked against its checksum first;
 * - a file record is committed before its data file exists and removed before its data file
 *   is; a data file the index does not know (a crash between the two) is deleted at start,
 *   found by listing data/ (names only, no data is read).
 */
import { randomBytes } from 'node:crypto';
import { constants, readSync } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { xxh64 } from '@node-rs/xxhash';
import { type Database, open as openLmdb, type RootDatabase } from 'lmdb';
import { BlockUnreadableError } from './errors.js';
import { ReadHandles } from './read-handles.js';

/** Checksums cover pages of this many bytes, so a small range reads and verifies little. */
export const PAGE_SIZE = 64 * 1024;
const DIGEST_BYTES = 8;
/** Data files kept open for reading between requests. */
const OPEN_READ_HANDLES = 256;
/** Opens are booked in memory and reach the index together, at most this long after. */
const ACCESS_FLUSH_MS = 1000;

/** What the index keeps of a cached file. */
export interface FileRecord {
  /** name of the data file */
  id: string;
  size: number;
  blockSize: number;
  etag?: string;
  lastModified?: string;
  /** unix seconds the origin last confirmed the validators */
  checkedAt: number;
  /** freshness lifetime the origin gave (Cache-Control max-age), seconds */
  maxAge?: number;
  presentBlocks: number;
  presentBytes: number;
  /** policy metadata: the last open (unix seconds) and the number of opens */
  lastAccess: number;
  accessCount: number;
}

/** What the origin says about a file when it is admitted or revalidated. */
export type FileMeta = Pick<FileRecord, 'size' | 'etag' | 'lastModified' | 'checkedAt' | 'maxAge'>;

/** A cached file as the node holds it: its record and which blocks are present. */
export class CachedFile {
  /** 1 where the block is in the index */
  readonly present: Uint8Array;

  constructor(
    readonly path: string,
    public record: FileRecord,
    readonly dataPath: string,
  ) {
    this.present = new Uint8Array(Math.ceil(record.size / record.blockSize));
  }

  get blockCount(): number {
    return this.present.length;
  }

  /** Length of block `index` (the last one may be short). */
  blockLength(index: number): number {
    return Math.min(this.record.blockSize, this.record.size - index * this.record.blockSize);
  }
}

type BlockKey = [string, number];

/**
 * How blocks are read from disk: `blocking` reads on the event loop (nginx's `aio off`), cheapest
 * when the cached bytes are in the page cache; `threads` reads in libuv's thread pool (nginx's
 * `aio threads`), so that a slow disk read does not stall other clients.
 */
export type DiskReads = 'blocking' | 'threads';

export interface StoreOptions {
  blockSize: number;
  diskReads: DiskReads;
  /** told when booked opens could not be written to the index (they are tried again with the next ones) */
  onAccessFlushError: (err: Error) => void;
}

export class BlockStore {
  private readonly files = new Map<string, CachedFile>();
  private readonly readHandles = new ReadHandles(OPEN_READ_HANDLES);
  /** files opened since the index last heard of their opens */
  private readonly accessed = new Set<CachedFile>();
  private accessFlush: NodeJS.Timeout | undefined;
  private bytes = 0;

  private constructor(
    readonly dir: string,
    readonly blockSize: number,
    private readonly options: StoreOptions,
    private readonly root: RootDatabase,
    private readonly records: Database<FileRecord, string>,
    private readonly blocks: Database<Buffer, BlockKey>,
  ) {}

  /** Opens (or creates) the store in `dir` and recovers its state from the index alone. */
  static async open(dir: string, options: StoreOptions): Promise<BlockStore> {
    if (options.blockSize % PAGE_SIZE !== 0 || options.blockSize <= 0) {
      throw new RangeError(
        `block size ${options.blockSize} is not a positive multiple of ${PAGE_SIZE} bytes`,
      );
    }
    await mkdir(join(dir, 'data'), { recursive: true });
    // overlappingSync off: a commit's promise resolves once it is on disk
    const root = openLmdb({ path: join(dir, 'index.mdb'), overlappingSync: false, maxDbs: 4 });
    const records = root.openDB<FileRecord, string>({ name: 'files', encoding: 'msgpack' });
    const blocks = root.openDB<Buffer, BlockKey>({ name: 'blocks', encoding: 'binary' });
    const store = new BlockStore(dir, options.blockSize, options, root, records, blocks);
    await store.recover();
    return store;
  }

  private async recover(): Promise<void> {
    for (const { key, value } of this.records.getRange()) {
      const file = new CachedFile(key, value, this.dataPath(value.id));
      this.files.set(key, file);
      this.bytes += value.presentBytes;
    }
    const byId = new Map([...this.files.values()].map((f) => [f.record.id, f]));
    const strays: BlockKey[] = [];
    for (const key of this.blocks.getKeys()) {
      const file = byId.get(key[0]);
      if (file && key[1] < file.blockCount) file.present[key[1]] = 1;
      else strays.push(key);
    }
    if (strays.length > 0) {
      await this.root.transaction(() => {
        for (const key of strays) this.blocks.remove(key);
      });
    }
    for (const shard of await readdir(join(this.dir, 'data'))) {
      for (const name of await readdir(join(this.dir, 'data', shard))) {
        if (!byId.has(name)) await rm(join(this.dir, 'data', shard, name), { force: true });
      }
    }
  }

  private dataPath(id: string): string {
    return join(this.dir, 'data', id.slice(0, 2), id);
  }

  /** bytes of present blocks */
  get diskBytes(): number {
    return this.bytes;
  }

  get fileCount(): number {
    return this.files.size;
  }

  get(path: string): CachedFile | undefined {
    return this.files.get(path);
  }

  /** Every cached file, least recently opened first (the order a restart restores them in). */
  list(): CachedFile[] {
    return [...this.files.values()].sort((a, b) => a.record.lastAccess - b.record.lastAccess);
  }

  /** Paths of cached files that start with `prefix`. */
  pathsUnder(prefix: string): string[] {
    return [...this.files.keys()].filter((path) => path.startsWith(prefix));
  }

  /** Records a newly admitted file (no blocks yet); durable before it returns. */
  async create(path: string, meta: FileMeta, time: number): Promise<CachedFile> {
    const record: FileRecord = {
      ...meta,
      id: randomBytes(12).toString('hex'),
      blockSize: this.blockSize,
      presentBlocks: 0,
      presentBytes: 0,
      lastAccess: time,
      accessCount: 0,
    };
    await this.records.put(path, record);
    await mkdir(join(this.dir, 'data', record.id.slice(0, 2)), { recursive: true });
    const file = new CachedFile(path, record, this.dataPath(record.id));
    this.files.set(path, file);
    return file;
  }

  /** The origin confirmed the file unchanged at `checkedAt`. */
  async confirm(file: CachedFile, checkedAt: number, maxAge: number | undefined): Promise<void> {
    await this.update(file, (record) => ({ ...record, checkedAt, maxAge }));
  }

  /**
   * Books an open of the file (policy metadata) in memory; the index gets it within
   * ACCESS_FLUSH_MS, with the other opens of that time in one transaction, so a hit costs no
   * disk write. A crash loses at most that long of opens: the policy's order after a restart.
   */
  touch(file: CachedFile, time: number): void {
    if (this.files.get(file.path) !== file) return;
    file.record.lastAccess = time;
    file.record.accessCount++;
    this.accessed.add(file);
    this.accessFlush ??= setTimeout(() => {
      this.accessFlush = undefined;
      this.flushAccesses().catch(this.options.onAccessFlushError);
    }, ACCESS_FLUSH_MS).unref();
  }

  private async flushAccesses(): Promise<void> {
    const files = [...this.accessed];
    this.accessed.clear();
    try {
      await this.root.transaction(() => {
        for (const file of files) {
          const current = this.records.get(file.path);
          if (current?.id === file.record.id) this.records.put(file.path, withAccesses(current, file.record));
        }
      });
    } catch (err) {
      for (const file of files) this.accessed.add(file);
      throw err;
    }
  }

  /**
   * Changes the file's record in the index; `change` returns undefined to change nothing, and
   * may change other entries (it runs in the transaction). Opens booked in memory are newer
   * than the index's: they stay.
   */
  private async update(
    file: CachedFile,
    change: (record: FileRecord) => FileRecord | undefined,
  ): Promise<FileRecord | undefined> {
    const id = file.record.id;
    const updated = await this.root.transaction(() => {
      const current = this.records.get(file.path);
      if (current?.id !== id) return undefined;
      const next = change(withAccesses(current, file.record));
      if (next) this.records.put(file.path, next);
      return next;
    });
    if (updated && this.files.get(file.path) === file) file.record = withAccesses(updated, file.record);
    return updated;
  }

  /**
   * Reads bytes [from, to) of present block `index` into `into` (at least one block long),
   * verifying every page they touch; returns the requested bytes, a view of `into`.
   * A page that fails its checksum, a short read or a missing data file throws BlockUnreadableError.
   */
  async readBlock(file: CachedFile, index: number, from: number, to: number, into: Buffer): Promise<Buffer> {
    const digests = this.blocks.getBinary([file.record.id, index]);
    if (digests === undefined) throw new BlockUnreadableError(file.path, index, 'missing');
    const length = file.blockLength(index);
    const pageStart = Math.floor(from / PAGE_SIZE) * PAGE_SIZE;
    const pageEnd = Math.min(length, Math.ceil(to / PAGE_SIZE) * PAGE_SIZE);
    const blockOffset = index * file.record.blockSize;
    const bytesRead = await this.readHandles.with(file.dataPath, async (handle) =>
      handle === undefined
        ? 0
        : this.options.diskReads === 'blocking'
          ? readSync(handle.fd, into, 0, pageEnd - pageStart, blockOffset + pageStart)
          : (await handle.read(into, 0, pageEnd - pageStart, blockOffset + pageStart)).bytesRead,
    );
    if (bytesRead !== pageEnd - pageStart) throw new BlockUnreadableError(file.path, index, 'missing');
    for (let page = pageStart; page < pageEnd; page += PAGE_SIZE) {
      const bytes = into.subarray(page - pageStart, Math.min(pageEnd, page + PAGE_SIZE) - pageStart);
      const slot = (page / PAGE_SIZE) * DIGEST_BYTES;
      if (xxh64(bytes) !== digests.readBigUInt64BE(slot)) {
        throw new BlockUnreadableError(file.path, index, 'checksum');
      }
    }
    return into.subarray(from - pageStart, to - pageStart);
  }

  /**
   * Writes block `index` (exactly its length), makes it durable, then records it present.
   * Returns false when the file left the cache meanwhile (nothing is recorded then).
   */
  async writeBlock(file: CachedFile, index: number, data: Buffer): Promise<boolean> {
    if (data.length !== file.blockLength(index)) {
      throw new RangeError(
        `${file.path}: block ${index} has ${data.length} bytes, expected ${file.blockLength(index)}`,
      );
    }
    if (this.files.get(file.path) !== file) return false;
    const handle = await open(file.dataPath, constants.O_RDWR | constants.O_CREAT);
    try {
      await handle.write(data, 0, data.length, index * file.record.blockSize);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    const digests = Buffer.allocUnsafe(Math.ceil(data.length / PAGE_SIZE) * DIGEST_BYTES);
    for (let page = 0; page < data.length; page += PAGE_SIZE) {
      digests.writeBigUInt64BE(
        xxh64(data.subarray(page, page + PAGE_SIZE)),
        (page / PAGE_SIZE) * DIGEST_BYTES,
      );
    }
    const id = file.record.id;
    const updated = await this.update(file, (current) => {
      if (this.blocks.doesExist([id, index])) return undefined;
      this.blocks.put([id, index], digests);
      return {
        ...current,
        presentBlocks: current.presentBlocks + 1,
        presentBytes: current.presentBytes + data.length,
      };
    });
    if (this.files.get(file.path) !== file) {
      // the file was removed while this block was written, which may have recreated its data file
      await rm(file.dataPath, { force: true });
      this.readHandles.drop(file.dataPath);
      return false;
    }
    if (!updated) return false;
    file.present[index] = 1;
    this.bytes += data.length;
    return true;
  }

  /** Forgets a block that cannot be served (bad checksum, lost bytes), so that it is fetched again. */
  async dropBlock(file: CachedFile, index: number): Promise<void> {
    const id = file.record.id;
    const length = file.blockLength(index);
    const updated = await this.update(file, (current) => {
      if (!this.blocks.doesExist([id, index])) return undefined;
      this.blocks.remove([id, index]);
      return {
        ...current,
        presentBlocks: current.presentBlocks - 1,
        presentBytes: current.presentBytes - length,
      };
    });
    if (!updated || this.files.get(file.path) !== file) return;
    file.present[index] = 0;
    this.bytes -= length;
  }

  /** Removes a file and its blocks; reads running on its data file finish first. */
  async remove(path: string): Promise<void> {
    const file = this.files.get(path);
    if (!file) return;
    this.files.delete(path);
    this.bytes -= file.record.presentBytes;
    const id = file.record.id;
    await this.root.transaction(() => {
      if (this.records.get(path)?.id === id) this.records.remove(path);
      for (const key of this.blocks.getKeys({ start: [id], end: [id, Number.MAX_SAFE_INTEGER] })) {
        this.blocks.remove(key);
      }
    });
    await rm(file.dataPath, { force: true });
    this.readHandles.drop(file.dataPath);
  }

  async close(): Promise<void> {
    clearTimeout(this.accessFlush);
    await this.flushAccesses();
    await this.readHandles.closeAll();
    await this.root.close();
  }
}

/** `record` with the opens booked in `booked`. */
function withAccesses(record: FileRecord, booked: FileRecord): FileRecord {
  return { ...record, lastAccess: booked.lastAccess, accessCount: booked.accessCount };
}
