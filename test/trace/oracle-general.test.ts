import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readTrace } from '../../src/trace/read.js';
import { assertFormatError, requests, roundTrip, sharedTraces, tempFile } from './helpers.js';

const bin = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin');

test('oracle-general: shared .bin, round trip (plain and gzip) keeps requests and next access', async () => {
  const { trace, format } = await readTrace(bin);
  assert.equal(format, 'oracle-general');
  assert.equal(trace.length, 113_872);
  assert.equal(trace.objectCount, 48_974);
  for (const name of ['rt.bin', 'rt.oracleGeneral.gz']) {
    const back = await roundTrip(trace, 'oracle-general', name);
    assert.deepEqual(back.obj, trace.obj);
    assert.deepEqual(back.nextAccess, trace.nextAccess);
  }
  const gz = tempFile('c.oracleGeneral.gz', gzipSync(readFileSync(bin)));
  assert.deepEqual(requests((await readTrace(gz)).trace).slice(0, 50), requests(trace).slice(0, 50));
});

test('bad input: truncated record (skippable), empty file, nothing but a truncated record', async () => {
  const cut = tempFile('cut.bin', readFileSync(bin).subarray(0, 24 * 3 + 10));
  await assertFormatError(readTrace(cut), { file: cut, offset: 72, reason: /truncated record: 10 of 24/ });
  const { trace, skipped } = await readTrace(cut, { skipBad: 1 });
  assert.equal(trace.length, 3);
  assert.equal(skipped[0].offset, 72);
  const empty = tempFile('empty.bin', '');
  await assertFormatError(readTrace(empty), { file: empty, reason: /^no requests: the file is empty$/ });
  const part = tempFile('part.bin', readFileSync(bin).subarray(0, 10));
  await assertFormatError(readTrace(part, { skipBad: 1 }), {
    file: part,
    reason: /^no requests: .*1 bad records/,
  });
});

/** One 24-byte oracleGeneral record per [id, next access vtime (1-based, -1 none), time (default: position), size (default 100)]. */
function records(rows: [number, number, number?, number?][]): Buffer {
  const buf = Buffer.alloc(rows.length * 24);
  rows.forEach(([id, next, time, size = 100], i) => {
    buf.writeUInt32LE(time ?? i, i * 24);
    buf.writeBigUInt64LE(BigInt(id), i * 24 + 4);
    buf.writeUInt32LE(size, i * 24 + 12);
    buf.writeBigInt64LE(BigInt(next), i * 24 + 16);
  });
  return buf;
}

test('object identity comes from the ids even when the next-access links are wrong', async () => {
  // ids 7 8 7 9 8 7 with links that point at the wrong request, nowhere, or past the end
  const file = tempFile(
    'links.bin',
    records([
      [7, 2],
      [8, 6],
      [7, -1],
      [9, 1],
      [8, 99],
      [7, -1],
    ]),
  );
  const { trace } = await readTrace(file);
  assert.deepEqual([...trace.obj], [0, 1, 0, 2, 1, 0]);
  assert.deepEqual(
    Array.from({ length: trace.length }, (_, i) => trace.keys.key(trace.obj[i])),
    [7, 8, 7, 9, 8, 7],
  );
});

test('u32 times and sizes are read unsigned, so the largest (2^32 - 1) is exact and no size can exceed 2^53', async () => {
  const u32Max = 0xffffffff;
  const file = tempFile('max.bin', records([[1, -1, u32Max, u32Max]]));
  const { trace } = await readTrace(file);
  assert.deepEqual([trace.time[0], trace.size[0]], [u32Max, u32Max]);
});

test('a time going back is sorted, counted and reported at its byte offset; the links are recomputed', async () => {
  const file = tempFile(
    'back.bin',
    records([
      [1, -1, 10],
      [2, -1, 20],
      [3, -1, 15],
      [4, -1, 20],
    ]),
  );
  const { trace, outOfOrder, firstOutOfOrder } = await readTrace(file);
  assert.equal(outOfOrder, 1);
  assert.deepEqual(firstOutOfOrder, { place: 'offset', at: 48, time: 15, after: 20 });
  assert.deepEqual([...trace.time], [10, 15, 20, 20]);
  assert.deepEqual(
    requests(trace).map((r) => r.key),
    [1, 3, 2, 4],
  );
  assert.equal(trace.nextAccess, undefined, "the file's next-access links point at unsorted positions");
});
