/**
 * Unpacking an uploaded bundle archive (tar, optionally gzip-compressed) with the protections
 * an upload needs: a cap on the uncompressed size (zip bombs), on the number of entries, and
 * only plain files with relative paths that stay inside the bundle (no links, no `..`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';

/** An archive that is malformed or unsafe. */
export class ArchiveError extends Error {
  constructor(
    reason: string,
    readonly tooLarge = false,
  ) {
    super(`bundle archive: ${reason}`);
    this.name = 'ArchiveError';
  }
}

export interface ArchiveLimits {
  /** bytes after decompression */
  maxBytes: number;
  maxEntries: number;
}

function isGzip(data: Uint8Array): boolean {
  return data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
}

function decompress(data: Buffer, maxBytes: number): Buffer {
  if (!isGzip(data)) return data;
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (err) {
    const tooLarge =
      (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new ArchiveError(
      tooLarge ? `expands beyond the ${maxBytes}-byte limit` : `gzip: ${(err as Error).message}`,
      tooLarge,
    );
  }
}

/** Relative path segments of an entry, or an error when the path could leave the bundle. */
function safeSegments(entryPath: string): string[] {
  if (entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath) || entryPath.includes('\\')) {
    throw new ArchiveError(`entry ${entryPath} has an absolute path`);
  }
  const segments = entryPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new ArchiveError(`entry ${entryPath} leaves the bundle`);
  return segments;
}

function readEntries(tarData: Buffer, limits: ArchiveLimits): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    let entries = 0;
    let total = 0;
    let failed = false;
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        try {
          if (++entries > limits.maxEntries) throw new ArchiveError(`more than ${limits.maxEntries} entries`);
          const segments = safeSegments(entry.path);
          if (entry.type === 'Directory') return entry.resume();
          if (entry.type !== 'File' && entry.type !== 'OldFile') {
            throw new ArchiveError(`entry ${entry.path} is a ${entry.type}; only plain files are accepted`);
          }
          total += entry.size ?? 0;
          if (total > limits.maxBytes)
            throw new ArchiveError(`holds more than ${limits.maxBytes} bytes`, true);
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => files.set(segments.join('/'), Buffer.concat(chunks)));
        } catch (err) {
          failed = true;
          entry.resume();
          parser.abort(err as Error);
        }
      },
    });
    parser.on('error', (err: Error) => {
      failed = true;
      reject(err instanceof ArchiveError ? err : new ArchiveError(err.message));
    });
    parser.on('end', () => {
      if (!failed) resolve(files);
    });
    parser.end(tarData);
  });
}

/**
 * Writes the bundle files of a tar or tar.gz archive into `dest` (an existing empty directory).
 * The files may sit at the archive root or in one top-level folder; deeper nesting is refused.
 */
export async function unpackBundle(data: Buffer, dest: string, limits: ArchiveLimits): Promise<string[]> {
  const files = await readEntries(decompress(data, limits.maxBytes), limits);
  if (files.size === 0) throw new ArchiveError('is empty or not a tar archive');
  const paths = [...files.keys()];
  const tops = new Set(paths.map((p) => p.split('/')[0]));
  const strip = paths.every((p) => p.includes('/')) && tops.size === 1 ? 1 : 0;
  const names: string[] = [];
  for (const [entryPath, content] of files) {
    const rest = entryPath.split('/').slice(strip);
    if (rest.length !== 1)
      throw new ArchiveError(`entry ${entryPath} is nested; a bundle is one flat folder`);
    names.push(rest[0]);
    await writeFile(path.join(dest, rest[0]), content);
  }
  return names;
}
