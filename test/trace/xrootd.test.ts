import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTrace } from '../../src/trace/read.js';
import { assertFormatError, examples, fixtures, readText, requests, roundTrip, tempFile } from './helpers.js';

const sample = join(examples, 'xrootd-sample.jsonl');

test('xrootd sample: access records (wrapped or not) and XCache file-close records, in close order: sorted, the four out of order counted', async () => {
  const { trace, format, outOfOrder } = await readTrace(sample);
  assert.equal(format, 'xrootd');
  assert.equal(outOfOrder, 4);
  assert.equal(trace.length, 11);
  for (let i = 1; i < trace.length; i++) assert.ok(trace.time[i] >= trace.time[i - 1]);
  const all = requests(trace);
  assert.equal(all[0].time, 1546300800.444);
  assert.equal(all[0].bytesRead, 2730921542);
  assert.equal(all[0].site, 'T1_IT_CNAF');
  assert.equal(all[0].user, '/DC=ch/DC=cern/OU=Users/CN=user0');
  assert.equal(all[1].time, 1546301250);
  assert.equal(all[1].bytesRead, 57671680);
});

test('field mapping of both record kinds', async () => {
  const lines = [
    '{"event":"file_close","lfn":"/store/b","size":1000,"attach_t":20,"detach_t":30,"b_hit":1,"b_miss":2,"b_bypass":3}',
    '{"data":{"file_lfn":"/store/a","file_size":500,"read_bytes_at_close":70,"start_time":10500,"site_name":"T2_X","user_dn":"/CN=u","extra":[1]},"metadata":{}}',
    '{"file_lfn":"/store/a","file_size":500,"read_bytes":40,"read_bytes_at_close":99,"start_time":30000}',
  ];
  const { trace } = await readText('x.jsonl', lines.join('\n'));
  assert.deepEqual(requests(trace), [
    { time: 10.5, key: '/store/a', size: 500, site: 'T2_X', user: '/CN=u', op: 'read', bytesRead: 70 },
    { time: 20, key: '/store/b', size: 1000, site: '', user: '', op: 'read', bytesRead: 6 },
    { time: 30, key: '/store/a', size: 500, site: '', user: '', op: 'read', bytesRead: 40 },
  ]);
});

test('round trip through xrootd, and zstd input', async () => {
  const { trace } = await readTrace(sample);
  assert.deepEqual(requests(await roundTrip(trace, 'xrootd', 'rt.jsonl')), requests(trace));
  assert.deepEqual(requests(await roundTrip(trace, 'xrootd', 'rt.jsonl.gz')), requests(trace));
  const zst = await readTrace(join(fixtures, 'xrootd-sample.jsonl.zst'));
  assert.equal(zst.format, 'xrootd');
  assert.deepEqual(requests(zst.trace), requests(trace));
});

test('bad input: bad JSON, missing and negative fields, unknown record kind', async () => {
  const good = '{"file_lfn":"/a","file_size":1,"start_time":1000}';
  const cases: [string, string | undefined, RegExp][] = [
    ['{"file_lfn":"/a",', undefined, /bad JSON/],
    ['[1,2]', undefined, /one JSON object/],
    [
      '{"file_lfn":"/a","start_time":1000}',
      'file_size',
      /non-negative whole number of bytes up to 2\^53 - 1, found nothing/,
    ],
    ['{"file_lfn":"/a","file_size":-5,"start_time":1000}', 'file_size', /non-negative/],
    [
      '{"file_lfn":"/a","file_size":1e30,"start_time":1000}',
      'file_size',
      /whole number of bytes up to 2\^53 - 1/,
    ],
    ['{"file_lfn":"/a","file_size":"7.5","start_time":1000}', 'file_size', /whole number of bytes/],
    [
      '{"file_lfn":"/a","file_size":1,"read_bytes":9007199254740992,"start_time":1000}',
      'read_bytes',
      /whole number of bytes/,
    ],
    [
      '{"event":"file_close","lfn":"/a","size":1,"attach_t":1,"b_hit":9007199254740991,"b_miss":1,"b_bypass":0}',
      'b_hit',
      /b_hit \+ b_miss \+ b_bypass = 9007199254740992 is above 2\^53 - 1/,
    ],
    ['{"file_lfn":"/a","file_size":1,"start_time":"later"}', 'start_time', /non-negative/],
    ['{"event":"file_open","lfn":"/a"}', 'event', /unknown record kind "file_open"/],
    [
      '{"event":"file_close","lfn":"/a","size":1,"attach_t":1,"b_hit":0,"b_miss":0}',
      'b_bypass',
      /non-negative/,
    ],
  ];
  for (const [line, field, reason] of cases) {
    const file = tempFile('bad.jsonl', `${good}\n${line}\n`);
    await assertFormatError(readTrace(file), { file, line: 2, field, reason });
  }
  const { trace, skipped } = await readText('s.jsonl', `${good}\nnot json\n${good}\n`, { skipBad: 1 });
  assert.equal(trace.length, 2);
  assert.equal(skipped[0].line, 2);
});

test('an xrootd file of blank lines is refused like an empty one, naming the file', async () => {
  const blank = tempFile('blank.jsonl', '\n\r\n\n');
  await assertFormatError(readTrace(blank, { format: 'xrootd' }), {
    file: blank,
    reason: /^no requests: the file holds no records$/,
  });
  const empty = tempFile('empty.jsonl', '');
  await assertFormatError(readTrace(empty, { format: 'xrootd' }), {
    file: empty,
    reason: /^no requests: the file is empty$/,
  });
});

test('bytes read above the size: bad input in csv; in XRootD monitoring re-reads, taken as they are', async () => {
  await assertFormatError(readText('d.csv', 'time,id,size,bytes_read\n5,a,10,10\n6,a,10,11\n'), {
    line: 3,
    field: 'bytes_read',
    reason: /^11 bytes read from an object of 10 bytes$/,
  });
  const records = [
    '{"file_lfn":"/a","file_size":10,"start_time":5,"read_bytes":11}',
    '{"file_lfn":"/a","file_size":10,"start_time":6,"read_bytes_at_close":12}',
    '{"event":"file_close","lfn":"/a","size":10,"attach_t":7,"b_hit":4,"b_miss":4,"b_bypass":3}',
  ];
  const { trace } = await readText('rereads.jsonl', `${records.join('\n')}\n`);
  assert.deepEqual(Array.from(trace.bytesRead ?? []), [11, 12, 11]);
});

test('a CMS logical file name gives its dataset, in both record kinds; other names none', async () => {
  const records = [
    '{"file_lfn":"/store/mc/Camp/Proc/MINIAODSIM/v1/0000/a.root","file_size":10,"start_time":5000}',
    '{"event":"file_close","lfn":"/store/data/Run1/JetHT/AOD/v2/b.root","size":10,"attach_t":6,"b_hit":0,"b_miss":10,"b_bypass":0}',
    '{"file_lfn":"/other/c.root","file_size":10,"start_time":7000}',
  ];
  const { trace } = await readText('lfn.jsonl', `${records.join('\n')}\n`);
  const dataset = trace.dataset;
  assert.ok(dataset);
  assert.deepEqual(
    Array.from(dataset.codes, (c) => dataset.values[c]),
    ['/store/mc/Camp/Proc/MINIAODSIM', '/store/data/Run1/JetHT/AOD', ''],
  );
});

test("a cache node's file_close records give their site and user", async () => {
  const records = [
    '{"event":"file_close","lfn":"/a","size":10,"attach_t":6,"b_hit":0,"b_miss":10,"b_bypass":0,"site_name":"T2_IT_Pisa","user_dn":"alice"}',
    '{"event":"file_close","lfn":"/b","size":10,"attach_t":7,"b_hit":10,"b_miss":0,"b_bypass":0}',
  ];
  const { trace } = await readText('close.jsonl', `${records.join('\n')}\n`);
  const values = (column: typeof trace.site) => Array.from(column?.codes ?? [], (c) => column?.values[c]);
  assert.deepEqual(values(trace.site), ['T2_IT_Pisa', '']);
  assert.deepEqual(values(trace.user), ['alice', '']);
});
