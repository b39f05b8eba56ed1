/** Client side of the cache-node tests: GETs, multipart bodies, metrics and node state. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Random } from '../../src/common/random.js';

export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/** The status of a GET of `path` sent as written (fetch would resolve its dot segments first). */
export function rawStatus(nodeUrl: string, path: string): Promise<number> {
  const { hostname, port } = new URL(nodeUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The parts of a multipart/byteranges body, each with its Content-Range start and end. */
export function multipartParts(
  body: Buffer,
  contentType: string,
): { start: number; end: number; bytes: Buffer }[] {
  const boundary = /boundary=(\S+)/.exec(contentType)?.[1];
  assert.ok(boundary, `no boundary in ${contentType}`);
  const parts: { start: number; end: number; bytes: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const headEnd = body.indexOf('\r\n\r\n', at);
    if (body.subarray(at + delimiter.length, at + delimiter.length + 2).toString() === '--') break;
    const head = body.subarray(at, headEnd).toString();
    const range = /content-range: bytes (\d+)-(\d+)\/\d+/i.exec(head);
    assert.ok(range, `part without Content-Range: ${head}`);
    const [start, end] = [Number(range[1]), Number(range[2])];
    const bytesStart = headEnd + 4;
    parts.push({ start, end, bytes: body.subarray(bytesStart, bytesStart + end - start + 1) });
    at = body.indexOf(delimiter, bytesStart + end - start + 1);
  }
  return parts;
}

/** One counter or gauge of /metrics (with the label text, e.g. `{outcome="hit"}`), 0 when absent. */
export async function metric(nodeUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

interface Health {
  diskBytes: number;
  files: number;
  blockFetches: number;
}

export async function health(nodeUrl: string): Promise<Health> {
  return (await fetch(`${nodeUrl}/healthz`)).json() as Promise<Health>;
}

/** /healthz once no block fetch is in flight (fetched blocks are written after they are served). */
export async function settledHealth(nodeUrl: string): Promise<Health> {
  for (let wait = 0; wait < 200; wait++) {
    const state = await health(nodeUrl);
    if (state.blockFetches === 0) return state;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('block fetches still in flight after 2 s');
}

/** Names of the data files under a cache directory. */
export function dataFiles(dir: string): string[] {
  return readdirSync(join(dir, 'data')).flatMap((shard) => readdirSync(join(dir, 'data', shard)));
}

/** Random ranges of a `size`-byte file: closed, open-ended and suffix, as a Range header and the bytes they select. */
export function randomRanges(
  rng: Random,
  size: number,
  count: number,
): { header: string; ranges: [number, number][] } {
  const specs: string[] = [];
  const ranges: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.int(3);
    const start = rng.int(size);
    if (kind === 0) {
      const end = Math.min(size - 1, start + rng.int(300_000));
      specs.push(`${start}-${end}`);
      ranges.push([start, end]);
    } else if (kind === 1) {
      specs.push(`${start}-`);
      ranges.push([start, size - 1]);
    } else {
      const suffix = 1 + rng.int(200_000);
      specs.push(`-${suffix}`);
      ranges.push([Math.max(0, size - suffix), size - 1]);
    }
  }
  return { header: `bytes=${specs.join(',')}`, ranges };
}

/**
 * Asserts that `response`, the answer to a Range of `ranges` over `bytes`, is a 206 holding
 * exactly those bytes: one range as the body under its Content-Range, several as multipart parts.
 */
export function assertRangeAnswer(
  response: { status: number; headers: Headers; body: Buffer },
  bytes: Buffer,
  ranges: [number, number][],
  what: string,
): void {
  assert.equal(response.status, 206, what);
  let parts: { start: number; end: number; bytes: Buffer }[];
  if (ranges.length === 1) {
    const [[start, end]] = ranges;
    assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/${bytes.length}`, what);
    parts = [{ start, end, bytes: response.body }];
  } else parts = multipartParts(response.body, response.headers.get('content-type') ?? '');
  assert.deepEqual(
    parts.map((p) => [p.start, p.end]),
    ranges,
    what,
  );
  for (const part of parts) assert.ok(part.bytes.equals(bytes.subarray(part.start, part.end + 1)), what);
}
