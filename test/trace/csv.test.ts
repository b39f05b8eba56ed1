import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseColumnMap } from '../../src/trace/formats/csv.js';
import { readTrace } from '../../src/trace/read.js';
import { assertFormatError, examples, readText, requests, roundTrip, tempFile } from './helpers.js';

const map = parseColumnMap('time=ts,id=lfn,size=bytes,site=site,user=client,bytesRead=read');

test('mapped csv: numeric and ISO-8601 times, optional columns, one time going back sorted and counted', async () => {
  const { trace, format, outOfOrder } = await readTrace(join(examples, 'mapped.csv'), { map });
  assert.equal(format, 'csv');
  assert.equal(outOfOrder, 1);
  assert.equal(trace.length, 12);
  assert.equal(trace.time[0], Date.UTC(2019, 0, 1) / 1000);
  for (let i = 1; i < trace.length; i++) assert.ok(trace.time[i] >= trace.time[i - 1]);
  assert.ok(trace.bytesRead && trace.site && trace.user);
  assert.equal(trace.dataset, undefined);
});

test('canonical header with quoting and empty bytes_read; ISO dates with offsets', async () => {
  const text =
    'time,id,size,op,bytes_read\n2019-01-01T01:00:00+01:00,"/a,b",10,read,\n2019-01-01,/c,20,write,5\n';
  assert.deepEqual(requests((await readText('c.csv', text)).trace), [
    { time: 1546300800, key: '/a,b', size: 10, op: 'read', bytesRead: 10 },
    { time: 1546300800, key: '/c', size: 20, op: 'write', bytesRead: 5 },
  ]);
});

test('round trip through csv, plain and gzip', async () => {
  const { trace } = await readTrace(join(examples, 'mapped.csv'), { map });
  assert.deepEqual(requests(await roundTrip(trace, 'csv', 'rt.csv')), requests(trace));
  assert.deepEqual(requests(await roundTrip(trace, 'csv', 'rt.csv.gz')), requests(trace));
  const cms = (await readTrace(join(examples, 'cms-sample.csv'))).trace;
  assert.deepEqual(requests(await roundTrip(cms, 'csv', 'cms.csv')), requests(cms));
});

test('bad map and missing mapped column', async () => {
  assert.throws(() => parseColumnMap('time=ts,id=lfn'), /missing size/);
  assert.throws(() => parseColumnMap('time=ts,id=lfn,size=b,colour=c'), /found "colour=c"/);
  const file = tempFile('m.csv', 'ts,lfn,size\n1,a,2\n');
  await assertFormatError(readTrace(file, { map }), {
    file,
    line: 1,
    field: 'bytes',
    reason: /missing column "bytes"/,
  });
});

test('bad input: column count, negative size, bad time', async () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['5,/b', undefined, /expected 3 columns, found 2/],
    ['5,/b,-1', 'size', /non-negative/],
    ['yesterday,/b,1', 'time', /ISO-8601/],
    ['2019-13-45,/b,1', 'time', /ISO-8601/],
  ];
  for (const [line, field, reason] of cases) {
    const file = tempFile('bad.csv', `time,id,size\n1,/a,1\n${line}\n`);
    await assertFormatError(readTrace(file), { file, line: 3, field, reason });
  }
});

test('a header-only csv and a mapped csv without rows are refused, naming the file', async () => {
  for (const [content, options] of [
    ['time,id,size\n', {}],
    ['ts,lfn,bytes,site,client,read\r\n', { map }],
  ] as const) {
    const file = tempFile('h.csv', content);
    await assertFormatError(readTrace(file, options), {
      file,
      reason: /^no requests: the file holds no records$/,
    });
  }
});

test('size and bytes_read are whole byte counts up to 2^53 - 1', async () => {
  for (const [row, field] of [
    ['2,/b,1e30', 'size'],
    ['2,/b,2.5', 'size'],
    ['2,/b,10,9007199254740992', 'bytes_read'],
  ]) {
    const file = tempFile(
      'big.csv',
      `time,id,size,bytes_read\n1,/a,1,\n${row}${field === 'size' ? ',' : ''}\n`,
    );
    await assertFormatError(readTrace(file), {
      file,
      line: 3,
      field,
      reason: /whole number of bytes up to 2\^53 - 1/,
    });
  }
});

test('a time going back is sorted and reported at its line, also across ISO and numeric times', async () => {
  const file = tempFile('back.csv', 'time,id,size\n2019-01-01T00:01:00Z,/a,1\n1546300800,/b,1\n');
  const { trace, outOfOrder, firstOutOfOrder } = await readTrace(file);
  assert.equal(outOfOrder, 1);
  assert.deepEqual(firstOutOfOrder, { place: 'line', at: 3, time: 1546300800, after: 1546300860 });
  assert.deepEqual(
    requests(trace).map((r) => r.key),
    ['/b', '/a'],
  );
});

test('an empty object id is bad input at its line and field, as in cms', async () => {
  const read = readText('empty-id.csv', 'time,id,size\n1,a,1\n2,,1\n');
  await assertFormatError(read, { line: 3, field: 'id', reason: /^empty object id$/ });
});
