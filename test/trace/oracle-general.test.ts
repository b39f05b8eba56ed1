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

test('bad input: truncated record (skippable) and empty file', async () => {
  const cut = tempFile('cut.bin', readFileSync(bin).subarray(0, 24 * 3 + 10));
  await assertFormatError(readTrace(cut), { file: cut, offset: 72, reason: /truncated record: 10 of 24/ });
  const { trace, skipped } = await readTrace(cut, { skipBad: 1 });
  assert.equal(trace.length, 3);
  assert.equal(skipped[0].offset, 72);
  const empty = tempFile('empty.bin', '');
  await assertFormatError(readTrace(empty), { file: empty, offset: 0, reason: /empty file/ });
});
