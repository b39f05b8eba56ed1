import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Random } from '../../src/common/random.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { nextRequestIndex } from '../../src/trace/model.js';
import { readTrace } from '../../src/trace/read.js';
import { smartcache } from '../helpers.js';
import { assertFormatError, requests, roundTrip, sharedTraces, tempFile, tempPath } from './helpers.js';

const bin = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin');

test('oracle-general: shared .bin, round trip (plain and gzip) keeps requests and their links', async () => {
  const { trace, format } = await readTrace(bin);
  assert.equal(format, 'oracle-general');
  assert.equal(trace.length, 113_872);
  assert.equal(trace.objectCount, 48_974);
  for (const name of ['rt.bin', 'rt.oracleGeneral.gz']) {
    const back = await roundTrip(trace, 'oracle-general', name);
    assert.deepEqual(back.obj, trace.obj);
    assert.deepEqual(nextRequestIndex(back), nextRequestIndex(trace));
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
function records(rows: [number, number | bigint, number?, number?][]): Buffer {
  const buf = Buffer.alloc(rows.length * 24);
  rows.forEach(([id, next, time, size = 100], i) => {
    buf.writeUInt32LE(time ?? i, i * 24);
    buf.writeBigUInt64LE(BigInt(id), i * 24 + 4);
    buf.writeUInt32LE(size, i * 24 + 12);
    buf.writeBigInt64LE(BigInt(next), i * 24 + 16);
  });
  return buf;
}

/** ids 7 8 7 9 8 7, linked right: 1 -> 3 -> 6, 2 -> 5; INT64_MAX also means none. */
const LINKED: [number, number | bigint][] = [
  [7, 3],
  [8, 5],
  [7, 6],
  [9, -1],
  [8, 2n ** 63n - 1n],
  [7, -1],
];

function relinked(record: number, next: number): [number, number | bigint][] {
  return LINKED.map(([id, link], i) => [id, i === record ? next : link]);
}

test('next-access links are checked: the right ones are kept, the shared .bin holds only right ones', async () => {
  const { trace } = await readTrace(tempFile('linked.bin', records(LINKED)));
  // links that all hold are the next accesses recomputed from the requests, so none are kept
  assert.equal(trace.nextAccess, undefined);
  assert.deepEqual([...nextRequestIndex(trace)], [2, 4, 5, -1, -1, -1]);
  // the shared trace (written by libCacheSim's traceConv) is read with every link checked
  assert.equal(nextRequestIndex((await readTrace(bin)).trace).length, 113_872);
});

test('a wrong next-access link is an error at its field naming the value found and the one expected', async () => {
  const cases: [string, [number, number | bigint][], number, RegExp][] = [
    [
      'backwards',
      relinked(2, 1),
      2,
      /request 3 gives its next access as 1, but the next request of object 7 is request 6 /,
    ],
    [
      'at itself',
      relinked(2, 3),
      2,
      /request 3 gives its next access as 3, but the next request of object 7 is request 6 /,
    ],
    [
      'another object',
      relinked(1, 4),
      1,
      /request 2 gives its next access as 4, but the next request of object 8 is request 5 /,
    ],
    [
      'to a request already linked',
      relinked(1, 3),
      1,
      /request 2 gives its next access as 3, but the next request of object 8 is request 5 /,
    ],
    [
      'to a request linked again after it',
      relinked(1, 6),
      1,
      /request 2 gives its next access as 6, but the next request of object 8 is request 5 /,
    ],
    [
      'from a last request to a linked one',
      relinked(3, 6),
      3,
      /request 4 gives its next access as 6, but object 9 is not requested again/,
    ],
    [
      'missing',
      relinked(0, -1),
      0,
      /request 1 gives its next access as -1 \(none\), but the next request of object 7 is request 3 /,
    ],
    [
      'skipping one',
      relinked(0, 6),
      0,
      /request 1 gives its next access as 6, but the next request of object 7 is request 3 /,
    ],
    [
      'out of range',
      relinked(4, 99),
      4,
      /request 5 gives its next access as 99, past the last request \(6\), but object 8 is not requested again, so -1 \(none\) is expected/,
    ],
    [
      'negative',
      relinked(3, -2),
      3,
      /request 4 gives its next access as -2, but object 9 is not requested again/,
    ],
  ];
  for (const [name, rows, record, reason] of cases) {
    const file = tempFile(`${name}.bin`, records(rows));
    await assertFormatError(readTrace(file, { skipBad: 100 }), {
      file,
      offset: record * 24 + 16,
      field: 'next_access_vtime',
      reason,
    });
    const { trace } = await readTrace(file, { recomputeNext: true });
    assert.deepEqual([...trace.obj], [0, 1, 0, 2, 1, 0], name);
    assert.equal(trace.nextAccess, undefined, 'recomputed from the requests when needed');
    assert.deepEqual([...nextRequestIndex(trace)], [2, 4, 5, -1, -1, -1]);
  }
});

test('keys above 2^32 that share a low word with another key are told apart when linked', async () => {
  const high = 2 ** 32 + 5;
  const { trace } = await readTrace(
    tempFile(
      'high-keys.bin',
      records([
        [high, 3],
        [7, -1],
        [high, -1],
      ]),
    ),
  );
  assert.deepEqual([...trace.obj], [0, 1, 0]);
  assert.deepEqual([...nextRequestIndex(trace)], [2, -1, -1]);
  const cases: [string, [number, number][], RegExp][] = [
    [
      'low key announced, high key met',
      [
        [5, 3],
        [7, -1],
        [high, -1],
      ],
      /object 5 is not requested again/,
    ],
    [
      'high key announced, low key met',
      [
        [high, 3],
        [7, -1],
        [5, -1],
      ],
      /object 4294967301 is not requested again/,
    ],
  ];
  for (const [name, rows, reason] of cases) {
    const file = tempFile(`${name}.bin`, records(rows));
    await assertFormatError(readTrace(file), { file, offset: 16, field: 'next_access_vtime', reason });
  }
});

test('random next-access values are refused; with --recompute-next belady replays the file as with its true links', async () => {
  const scrambled = readFileSync(bin);
  const rng = new Random(5);
  for (let at = 16; at < scrambled.length; at += 24)
    scrambled.writeBigInt64LE(BigInt(rng.int(113_872) + 1), at);
  const scrambledFile = tempFile('scrambled.bin', scrambled);
  const refused = await smartcache(
    'simulate',
    '--trace',
    scrambledFile,
    '--policies',
    'belady',
    '--sizes',
    '0.1',
  ).then(
    () => undefined,
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(refused?.code, 1);
  assert.match(
    refused.stderr,
    /scrambled\.bin \(byte \d+\) field "next_access_vtime": request \d+ gives its next access as \d+/,
  );
  const options = { capacity: 50_000_000 };
  const truth = simulate((await readTrace(bin)).trace, policySpec('belady'), options);
  const recomputed = simulate(
    (await readTrace(scrambledFile, { recomputeNext: true })).trace,
    policySpec('belady'),
    options,
  );
  assert.equal(recomputed.hits, truth.hits);
  const { stdout } = await smartcache('convert', scrambledFile, tempPath('relinked.bin'), '--recompute-next');
  assert.equal(stdout, '');
});

test('a link to a truncated last record that --skip-bad skipped means no next access', async () => {
  const file = tempFile(
    'cut-link.bin',
    records([
      [1, 2],
      [1, -1],
    ]).subarray(0, 24 + 10),
  );
  const { trace, skipped } = await readTrace(file, { skipBad: 1 });
  assert.equal(skipped.length, 1);
  assert.deepEqual([...nextRequestIndex(trace)], [-1]);
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
