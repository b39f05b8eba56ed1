/**
 * The access log: one JSON line per file close, with the fields of XCache's `file_close`
 * monitoring record (/work/shared/formats/cms-access.md §2b), so that `smartcache simulate
 * --format xrootd` and prep read a node's log as they read XCache's. Two fields XCache does
 * not write are added: `site_name`, the client's site, and with JWT clients `user_dn`, the
 * token's subject.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface FileClose {
  event: 'file_close';
  lfn: string;
  size: number;
  blk_size: number;
  n_blks: number;
  /** blocks present when the file was closed */
  n_blks_done: number;
  /** opens of the file since it entered the cache */
  access_cnt: number;
  /** open and close, unix seconds */
  attach_t: number;
  detach_t: number;
  remotes: string[];
  b_hit: number;
  b_miss: number;
  b_bypass: number;
  b_todisk: number;
  b_prefetch: number;
  n_cks_errs: number;
  site_name?: string;
  user_dn?: string;
}

export class AccessLog {
  private readonly out: WriteStream;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.out = createWriteStream(file, { flags: 'a' });
  }

  write(record: FileClose): void {
    this.out.write(`${JSON.stringify(record)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}
