/** What tells one input file from another across machines: its size and content hash, with its path and mtime for people. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileIdentity {
  /** as given on the command line */
  path: string;
  bytes: number;
  /** ISO time of the last modification */
  mtime: string;
  /** hex SHA-256 of the content */
  sha256: string;
}

/** Reads `path` once to hash it (about 1 GB/s on one core). */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  // loaded on use: `simulate` imports this module for its shards, and most runs are none
  const { createHash } = await import('node:crypto');
  const info = await stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { path, bytes: info.size, mtime: info.mtime.toISOString(), sha256: hash.digest('hex') };
}

/** Whether two identities name the same content: size and hash (paths and times may differ between machines). */
export function sameContent(a: FileIdentity, b: FileIdentity): boolean {
  return a.bytes === b.bytes && a.sha256 === b.sha256;
}
