/**
 * Read-only handles of data files, kept open between requests in a bounded LRU: opening and
 * closing a file per request cost the hit path two thread-pool round trips. A handle leaves
 * when it is the least recently used one past the bound, or when its file is removed; it is
 * closed once no read uses it. Only reads go through these handles, so they change nothing of
 * crash safety; a removed file's data path is never reused (a new admission gets a new id).
 */
import { type FileHandle, open } from 'node:fs/promises';

interface Entry {
  /** undefined when the data file does not exist (yet) */
  opened: Promise<FileHandle | undefined>;
  readers: number;
  retired: boolean;
}

export class ReadHandles {
  /** insertion order is recency: the first entry is the least recently used */
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit: number) {}

  /**
   * Runs `read` with an open handle of the data file at `dataPath`, or undefined when the file
   * does not exist; the handle stays open for later reads until evicted.
   */
  async with<T>(dataPath: string, read: (handle: FileHandle | undefined) => Promise<T>): Promise<T> {
    const entry = this.acquire(dataPath);
    try {
      return await read(await entry.opened);
    } finally {
      entry.readers--;
      if (entry.retired && entry.readers === 0) void this.closeEntry(entry);
    }
  }

  /** Forgets the handle of a removed data file; reads running on it finish first. */
  drop(dataPath: string): void {
    const entry = this.entries.get(dataPath);
    if (entry) this.retire(dataPath, entry);
  }

  /** Closes every handle (the store is closing: no read runs any more). */
  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => this.closeEntry(entry)));
  }

  private acquire(dataPath: string): Entry {
    let entry = this.entries.get(dataPath);
    if (entry) {
      this.entries.delete(dataPath);
    } else {
      entry = { opened: this.open(dataPath), readers: 0, retired: false };
      const opening = entry;
      // a missing file is not remembered: its first block may be written any moment
      void opening.opened.then(
        (handle) => handle === undefined && this.forget(dataPath, opening),
        () => this.forget(dataPath, opening),
      );
    }
    entry.readers++;
    this.entries.set(dataPath, entry);
    for (const [oldPath, old] of this.entries) {
      if (this.entries.size <= this.limit) break;
      this.retire(oldPath, old);
    }
    return entry;
  }

  private async open(dataPath: string): Promise<FileHandle | undefined> {
    try {
      return await open(dataPath, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private forget(dataPath: string, entry: Entry): void {
    if (this.entries.get(dataPath) === entry) this.entries.delete(dataPath);
  }

  private retire(dataPath: string, entry: Entry): void {
    this.forget(dataPath, entry);
    entry.retired = true;
    if (entry.readers === 0) void this.closeEntry(entry);
  }

  private async closeEntry(entry: Entry): Promise<void> {
    const handle = await entry.opened.catch(() => undefined);
    // a read-only descriptor has nothing to flush: a failing close loses nothing
    await handle?.close().catch(() => undefined);
  }
}
