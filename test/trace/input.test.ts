import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BadInputBudget } from '../../src/trace/errors.js';
import { splitFields } from '../../src/trace/fields.js';
import { forEachLine, openInput } from '../../src/trace/input.js';
import { TimeOrder } from '../../src/trace/order.js';
import { readTrace } from '../../src/trace/read.js';
import { smartcache } from '../helpers.js';
import { assertFormatError, examples, fixtures, tempFile } from './helpers.js';

async function linesOf(chunks: Uint8Array[]): Promise<[number, string][]> {
  const seen: [number, string][] = [];
  async function* source() {
    yield* chunks;
  }
  const context = { budget: new BadInputBudget(), order: new TimeOrder() };
  await forEachLine(source(), context, {
    row: (line, n) => {
      seen.push([n, line]);
      return undefined;
    },
  });
  return seen;
}

test('line splitter: CRLF, blank lines, a line split across chunks and a missing final newline', async () => {
  const enc = new TextEncoder();
  const seen = await linesOf([enc.encode('a,1\r\n\nb,'), enc.encode('2\nc,3')]);
  assert.deepEqual(seen, [
    [1, 'a,1'],
    [3, 'b,2'],
    [4, 'c,3'],
  ]);
});

test('line splitter: a multi-byte character split across chunks', async () => {
  const bytes = new TextEncoder().encode('é\nü\n');
  assert.deepEqual(await linesOf([bytes.subarray(0, 1), bytes.subarray(1)]), [
    [1, 'é'],
    [2, 'ü'],
  ]);
});

test('field splitter: quoted fields with delimiters and doubled quotes', () => {
  assert.deepEqual(splitFields('1,"a,b","say ""hi""",', ',', []), ['1', 'a,b', 'say "hi"', '']);
  assert.deepEqual(splitFields('1\t2', '\t', []), ['1', '2']);
});

async function decompressed(file: string): Promise<string> {
  const input = await openInput(file);
  const parts: Uint8Array[] = [];
  for await (const chunk of input.chunks) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

test('gzip and zstd input are decompressed by magic bytes, whatever the name', async () => {
  const text = readFileSync(join(examples, 'xrootd-sample.jsonl'), 'utf8');
  assert.equal(await decompressed(tempFile('no-extension', gzipSync(text))), text);
  assert.equal(await decompressed(join(fixtures, 'xrootd-sample.jsonl.zst')), text);
});

test('progress reports bytes read against the file size', async () => {
  const file = tempFile('big.csv', 'x\n'.repeat(3 << 20));
  const reports: [number, number][] = [];
  const input = await openInput(file, (read, total) => reports.push([read, total]));
  for await (const _ of input.chunks);
  assert.ok(reports.length >= 6);
  assert.deepEqual(reports.at(-1), [6 << 20, 6 << 20]);
});

test('truncated or corrupt gzip input is a compressed-data error, by the byte zlib was given, never skipped', async () => {
  const gz = gzipSync('time,id,size\n'.concat('1,a,1\n'.repeat(1000)));
  const cut = gz.subarray(0, gz.length - 20);
  const cutFile = tempFile('cut.csv.gz', cut);
  await assertFormatError(decompressed(cutFile), {
    file: cutFile,
    offset: cut.length,
    reason: /^corrupt or truncated gzip data after \d+ decompressed bytes: unexpected end of file$/,
  });
  // gzip's trailer holds the CRC-32 and length of the content; a flipped byte in a stored
  // (uncompressed) block changes one content byte, which only the CRC reveals
  const stored = gzipSync('time,id,size\n1,a,1\n', { level: 0 });
  const flipped = Buffer.from(stored);
  flipped[stored.indexOf('1,a,1')] ^= 0x01;
  const flippedFile = tempFile('flipped.csv.gz', flipped);
  await assertFormatError(readTrace(flippedFile, { skipBad: 100 }), {
    file: flippedFile,
    offset: flipped.length,
    reason: /^corrupt or truncated gzip data after \d+ decompressed bytes: incorrect data check$/,
  });
});

test('a UTF-8 byte order mark is ignored by every text reader, xrootd included', async () => {
  const bom = '\ufeff';
  const files: [string, string, number | bigint | string][] = [
    ['bom.jsonl', '{"file_lfn":"/a","file_size":1,"start_time":5000}\n', '/a'],
    ['bom.csv', 'time,id,size\n5,a,1\n', 'a'],
    ['bom-headerless.csv', '5,7,1\n', 7],
  ];
  for (const [name, content, key] of files) {
    const options = name === 'bom-headerless.csv' ? { csvParams: 'has-header=false' } : {};
    const { trace } = await readTrace(tempFile(name, bom + content), options);
    assert.deepEqual([trace.length, trace.keys.key(trace.obj[0]), trace.time[0]], [1, key, 5], name);
  }
});

test('a file of blank lines holds no requests, detected or not: not a format that cannot be told', async () => {
  const blank = tempFile('blank.txt', '\n  \r\n\t\n');
  await assertFormatError(readTrace(blank), {
    file: blank,
    reason: /^no requests: the file holds no records$/,
  });
  await assert.rejects(smartcache('inspect', blank), (err: { stderr: string }) => {
    assert.match(err.stderr, /blank\.txt: no requests: the file holds no records/);
    assert.doesNotMatch(err.stderr, /cannot tell/);
    return true;
  });
});
