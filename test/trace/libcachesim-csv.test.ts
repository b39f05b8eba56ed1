import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { traceFromRequests } from '../../src/trace/builder.js';
import { parseLibCacheSimParams } from '../../src/trace/formats/libcachesim-csv.js';
import { readTrace } from '../../src/trace/read.js';
import { assertFormatError, readText, requests, roundTrip, sharedTraces, tempFile } from './helpers.js';

const cloudPhysicsCsv = join(sharedTraces, 'cloudPhysicsIO.csv');
const plainCsv = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.plain.csv');
const bin = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin');

test('cloudPhysicsIO.csv: 113,872 requests of 48,974 objects with read/write ops', async () => {
  const { trace, format } = await readTrace(cloudPhysicsCsv);
  assert.equal(format, 'libcachesim-csv');
  assert.equal(trace.length, 113_872);
  assert.equal(trace.objectCount, 48_974);
  const ops = new Map<string, number>();
  for (let i = 0; i < trace.length; i++) {
    const op = trace.op!.values[trace.op!.codes[i]];
    ops.set(op, (ops.get(op) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(ops), { read: 46_974, write: 66_898 });
  assert.deepEqual(requests(trace)[0], { time: 5633898, key: 42932745, size: 512, op: 'write' });
});

test('the plain csv gives the same object and size sequence as the .bin', async () => {
  const plain = (await readTrace(plainCsv)).trace;
  const binary = (await readTrace(bin)).trace;
  assert.equal(plain.length, 113_872);
  assert.equal(plain.objectCount, 48_974);
  assert.deepEqual(plain.obj, binary.obj);
  assert.deepEqual(plain.size, binary.size);
  assert.deepEqual(plain.time, binary.time);
});

test('csv params select columns, delimiter and header like libCacheSim -t', async () => {
  assert.deepEqual(
    parseLibCacheSimParams('time-col=2, obj-id-col=5, obj-size-col=4, delimiter=,, has-header=true'),
    {
      timeCol: 2,
      idCol: 5,
      sizeCol: 4,
      delimiter: ',',
      hasHeader: true,
    },
  );
  const { trace } = await readText('t.tsv', 'x\t7\t100\tk1\nx\t8\t200\tk2\nx\t9\t100\tk1\n', {
    csvParams:
      'time-col=2, obj-id-col=4, obj-size-col=3, delimiter=\\t, has-header=false, obj-id-is-num=false',
  });
  assert.deepEqual(requests(trace), [
    { time: 7, key: 'k1', size: 100 },
    { time: 8, key: 'k2', size: 200 },
    { time: 9, key: 'k1', size: 100 },
  ]);
  assert.throws(() => parseLibCacheSimParams('time-col=0'), /column number/);
  assert.throws(() => parseLibCacheSimParams('colour=red'), /unknown parameter "colour"/);
});

test('default columns time 1, id 2, size 3; the header is detected; u64 ids keep all 64 bits', async () => {
  const { trace } = await readText('d.csv', 'ts,key,bytes\n1,18446744073709551615,10\n2,5,20\n', {
    csvParams: 'obj-id-is-num=true',
  });
  assert.deepEqual(requests(trace), [
    { time: 1, key: 18446744073709551615n, size: 10 },
    { time: 2, key: 5, size: 20 },
  ]);
});

test('round trip through libcachesim-csv, plain and gzip', async () => {
  const { trace } = await readTrace(plainCsv);
  const back = await roundTrip(trace, 'libcachesim-csv', 'rt.csv');
  assert.deepEqual(back.obj, trace.obj);
  assert.deepEqual(back.size, trace.size);
  assert.deepEqual(back.time, trace.time);
  const gz = await roundTrip(trace, 'libcachesim-csv', 'rt.csv.gz');
  assert.deepEqual(gz.obj, trace.obj);
  const text = (await readText('t.csv', 'time,obj_id,obj_size\n1,a,3\n2,b,4\n')).trace;
  assert.deepEqual(requests(await roundTrip(text, 'libcachesim-csv', 'text.csv')), requests(text));
});

test('gzip-compressed libCacheSim csv is read', async () => {
  const file = tempFile('g.csv.gz', gzipSync('time,obj_id,obj_size\n1,2,3\n'));
  assert.deepEqual(requests((await readTrace(file)).trace), [{ time: 1, key: 2, size: 3 }]);
});

const header = 'version,time,op,size,lbn\n';

test('sizes are whole byte counts up to 2^53 - 1: larger, fractional and negative sizes name file, line and field', async () => {
  const max = 'time,obj_id,obj_size\n1,1,9007199254740991\n';
  assert.equal((await readText('max.csv', max)).trace.size[0], Number.MAX_SAFE_INTEGER);
  for (const size of ['1e30', '9007199254740992', '512.5', '-1']) {
    const file = tempFile('size.csv', `time,obj_id,obj_size\n1,1,10\n2,2,${size}\n`);
    await assertFormatError(readTrace(file), {
      file,
      line: 3,
      field: 'obj_size',
      reason: new RegExp(`whole number of bytes up to 2\\^53 - 1, found "${size}"`),
    });
  }
});

test('bad input: column count, negative size, non-numeric time, unknown opcode, text id in numeric trace', async () => {
  const cases: [string, number, string | undefined, RegExp][] = [
    ['1,5,28,512,7\n1,6,28,512\n', 3, undefined, /expected 5 columns, found 4/],
    ['1,5,28,-512,7\n', 2, 'size', /non-negative whole number of bytes up to 2\^53 - 1, found "-512"/],
    ['1,soon,28,512,7\n', 2, 'time', /non-negative number/],
    ['1,5,ff,512,7\n', 2, 'op', /unknown SCSI opcode "ff"/],
    ['1,5,28,512,7\n1,5,28,512,x7\n', 3, 'lbn', /numeric object id/],
  ];
  for (const [body, line, field, reason] of cases) {
    const file = tempFile('bad.csv', header + body);
    await assertFormatError(readTrace(file), { file, line, field, reason });
  }
});

test('skip-bad: up to N bad lines are skipped and returned, the next one throws', async () => {
  const body = `${header}1,5,28,512,7\n1,x,28,512,7\n1,6,28,512,8\n1,7,zz,512,7\n1,8,28,512,9\n`;
  const { trace, skipped } = await readText('skip.csv', body, { skipBad: 2 });
  assert.equal(trace.length, 3);
  assert.deepEqual(
    skipped.map((e) => [e.line, e.field]),
    [
      [3, 'time'],
      [5, 'op'],
    ],
  );
  await assertFormatError(readText('skip.csv', body, { skipBad: 1 }), {
    line: 5,
    field: 'op',
    reason: /opcode/,
  });
});

test('an empty file and a header-only file are refused the same way, naming the file', async () => {
  const empty = tempFile('empty.csv', '');
  const noRequests = { file: empty, reason: /^no requests: the file is empty$/ };
  await assertFormatError(readTrace(empty, { format: 'libcachesim-csv' }), noRequests);
  await assertFormatError(readTrace(empty), noRequests);
  for (const head of [header, 'time,obj_id,obj_size\n\n']) {
    const file = tempFile('h.csv', head);
    await assertFormatError(readTrace(file), { file, reason: /^no requests: the file holds no records$/ });
  }
  const bad = tempFile('b.csv', `${header}1,x,28,512,7\n`);
  await assertFormatError(readTrace(bad, { skipBad: 1 }), {
    file: bad,
    reason: /^no requests: the file holds no records besides 1 bad records \(skipped\)$/,
  });
});

test('times going back are sorted and counted, not skipped as bad records', async () => {
  const body = 'time,obj_id,obj_size\n1,1,10\n5,2,10\n5,3,10\nx,9,10\n3,4,10\n4,5,10\n9,6,10\n';
  const file = tempFile('back.csv', body);
  const { trace, outOfOrder, firstOutOfOrder, skipped } = await readTrace(file, { skipBad: 1 });
  assert.equal(outOfOrder, 2);
  assert.deepEqual(firstOutOfOrder, { place: 'line', at: 6, time: 3, after: 5 });
  assert.equal(skipped.length, 1);
  assert.deepEqual([...trace.time], [1, 3, 4, 5, 5, 9]);
  assert.deepEqual(
    requests(trace).map((r) => r.key),
    [1, 4, 5, 2, 3, 6],
  );
  const inOrder = await readText('eq.csv', 'time,obj_id,obj_size\n1,1,10\n1,2,10\n');
  assert.equal(inOrder.outOfOrder, 0);
});

test('ids holding commas or quotes are quoted on write and read back as written; a line break is refused', async () => {
  const trace = traceFromRequests(
    [
      { time: 1, key: '/store/a,b.root', size: 10 },
      { time: 2, key: 'say "hi"', size: 20 },
      { time: 4, key: '/store/a,b.root', size: 10 },
    ],
    true,
  );
  const back = await roundTrip(trace, 'libcachesim-csv', 'quoted.csv');
  assert.deepEqual(
    requests(back).map((r) => [r.time, r.key, r.size]),
    requests(trace).map((r) => [r.time, r.key, r.size]),
  );
  const broken = traceFromRequests([{ time: 1, key: 'two\nlines', size: 1 }], true);
  await assert.rejects(
    roundTrip(broken, 'libcachesim-csv', 'broken.csv'),
    /request 0 as libcachesim-csv: obj_id "two\\nlines" holds a line break/,
  );
});
