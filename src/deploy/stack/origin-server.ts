/**
 * The origin of a generated stack: an HTTP server of synthetic files listed in a catalogue
 * (path -> size). A file's bytes are the AES-128-CTR keystream keyed by its path's hash, so
 * any range is computed on the fly, the same on every run, and no byte is stored. It answers
 * what the cache node's origin client asks (src/cache/origin.ts): HEAD, GET, one closed or
 * open-ended range, with ETag and Last-Modified; and GET /healthz.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filePath, PathError } from '../../common/paths.js';

/** What the origin serves: file path -> size in bytes. */
export interface OriginCatalog {
  files: Record<string, number>;
}

export class CatalogError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}: ${field}: ${reason}`);
    this.name = 'CatalogError';
  }
}

export async function readCatalog(file: string): Promise<Map<string, number>> {
  let catalog: OriginCatalog;
  try {
    catalog = JSON.parse(await readFile(file, 'utf8')) as OriginCatalog;
  } catch (err) {
    throw new CatalogError(file, '(top level)', `not a JSON catalogue: ${(err as Error).message}`);
  }
  if (typeof catalog.files !== 'object' || catalog.files === null) {
    throw new CatalogError(file, 'files', 'must map file paths to sizes');
  }
  const files = new Map<string, number>();
  for (const [path, size] of Object.entries(catalog.files)) {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new CatalogError(file, `files["${path}"]`, 'must be a size in bytes');
    }
    files.set(filePath(path), size);
  }
  return files;
}

const BLOCK = 16;
const CHUNK = 64 * 1024;
/** Every synthetic file has this modification time. */
const MODIFIED = new Date(Date.UTC(2025, 0, 1)).toUTCString();

/** Bytes [start, end) of the synthetic file at `path`. */
export function* syntheticBytes(path: string, start: number, end: number): Generator<Buffer> {
  const seed = createHash('sha256').update(path).digest();
  const counter = seed.subarray(16, 32);
  // the keystream block holding `start`: the initial counter plus start / 16, as a 128-bit number
  const block = BigInt(Math.floor(start / BLOCK));
  const iv = ((BigInt(`0x${counter.toString('hex')}`) + block) % (1n << 128n)).toString(16).padStart(32, '0');
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), Buffer.from(iv, 'hex'));
  let skip = start % BLOCK;
  let position = start;
  while (position < end) {
    const length = Math.min(CHUNK, end - position);
    const out = cipher.update(Buffer.alloc(length + skip));
    yield out.subarray(skip);
    position += length;
    skip = 0;
  }
}

function etagOf(path: string, size: number): string {
  return `"${createHash('sha256').update(`${path}\n${size}`).digest('hex').slice(0, 20)}"`;
}

/** `bytes=a-b` or `bytes=a-` inside a file of `size` bytes; undefined for anything else. */
function singleRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'bad' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start > end || start >= size ? 'bad' : { start, end };
}

export interface RunningOrigin {
  url: string;
  close(): Promise<void>;
}

export async function startSyntheticOrigin(
  files: ReadonlyMap<string, number>,
  host: string,
  port: number,
): Promise<RunningOrigin> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: 'ok', files: files.size }));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return void res.end();
    }
    let path: string;
    try {
      path = filePath(url);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      res.writeHead(400);
      return void res.end(err.message);
    }
    const size = files.get(path);
    if (size === undefined) {
      res.writeHead(404);
      return void res.end();
    }
    const headers = {
      etag: etagOf(path, size),
      'last-modified': MODIFIED,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    const range = singleRange(req.headers.range, size);
    if (range === 'bad') {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return void res.end();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    const chunks = syntheticBytes(path, start, end + 1);
    const pump = () => {
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        if (!res.write(next.value)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
