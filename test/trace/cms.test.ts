import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CMS_COLUMNS, cmsDataset } from '../../src/trace/formats/cms.js';
import { readTrace } from '../../src/trace/read.js';
import { assertFormatError, examples, readText, requests, roundTrip, tempFile } from './helpers.js';

const sample = join(examples, 'cms-sample.csv');
const header = CMS_COLUMNS.join(',');

function row(values: Partial<Record<(typeof CMS_COLUMNS)[number], string>>): string {
  const defaults = {
    Filename: '17',
    Size: '100',
    JobStart: '1000',
    reqDay: '0',
    JobSuccess: 'true',
    JobExecExitCode: '0',
  };
  const all: Record<string, string> = { ...defaults, ...values };
  return CMS_COLUMNS.map((c) => all[c] ?? '0').join(',');
}

test('cms sample: 20 jobs sorted by time, the one out of order reported, JobStart 0 falls back to reqDay', async () => {
  const { trace, format, outOfOrder, firstOutOfOrder } = await readTrace(sample);
  assert.equal(format, 'cms');
  assert.equal(outOfOrder, 1);
  assert.deepEqual(firstOutOfOrder, { place: 'line', at: 9, time: 1546300800, after: 1546311958 });
  assert.equal(trace.length, 20);
  assert.equal(trace.objectCount, 6);
  for (let i = 1; i < trace.length; i++) assert.ok(trace.time[i] >= trace.time[i - 1]);
  assert.equal(trace.time[0], 1546300800);
  const first = requests(trace)[0];
  assert.deepEqual(first, {
    time: 1546300800,
    key: '184467',
    size: 2147483648,
    site: 'T2_IT_Legnaro',
    user: '1002',
    dataset: '13/345',
    op: 'read',
  });
});

test('dataset: first five components of an LFN, else Campaign/Process', () => {
  assert.equal(
    cmsDataset('/store/mc/Camp/Proc/MINIAODSIM/v1/0000/f.root', '1', '2'),
    '/store/mc/Camp/Proc/MINIAODSIM',
  );
  assert.equal(cmsDataset('42', '12', '345'), '12/345');
  assert.equal(cmsDataset('/store/mc/short.root', '12', ''), '12');
});

test('only successful jobs: JobSuccess true/1 and exit code 0', async () => {
  const { trace } = await readTrace(sample, { onlySuccessful: true });
  assert.equal(trace.length, 18);
  const body = [
    row({ JobSuccess: '1' }),
    row({ JobSuccess: 'true', JobExecExitCode: '8021' }),
    row({ JobSuccess: '0' }),
  ];
  assert.equal(
    (await readText('s.csv', [header, ...body].join('\n'), { onlySuccessful: true })).trace.length,
    1,
  );
});

test('round trip through cms, from plain, gzip and column-reordered input', async () => {
  const { trace } = await readTrace(sample);
  assert.deepEqual(requests(await roundTrip(trace, 'cms', 'rt.csv')), requests(trace));
  assert.deepEqual(requests(await roundTrip(trace, 'cms', 'rt.csv.gz')), requests(trace));
  const gz = tempFile('sample.csv.gz', gzipSync(readFileSync(sample)));
  assert.deepEqual(requests((await readTrace(gz)).trace), requests(trace));
  const reordered = [[...CMS_COLUMNS].reverse().join(','), row({}).split(',').reverse().join(',')].join('\n');
  assert.deepEqual(requests((await readText('r.csv', reordered, { format: 'cms' })).trace), [
    { time: 1000, key: '17', size: 100, site: '0', user: '0', dataset: '0/0', op: 'read' },
  ]);
});

test('bad input: missing header columns, column count, size, time, JobSuccess', async () => {
  const noHeader = tempFile('nh.csv', `${row({})}\n`);
  await assertFormatError(readTrace(noHeader, { format: 'cms' }), {
    file: noHeader,
    line: 1,
    field: CMS_COLUMNS.join(','),
    reason: /missing columns Filename/,
  });
  const short = header.replace(',Region', '');
  const missing = tempFile('m.csv', `${short}\n`);
  await assertFormatError(readTrace(missing, { format: 'cms' }), {
    file: missing,
    line: 1,
    field: 'Region',
    reason: /missing columns Region/,
  });
  const cases: [string, string | undefined, RegExp, boolean][] = [
    [`${row({})},extra`, undefined, /expected 25 columns, found 26/, false],
    [row({ Size: '-1' }), 'Size', /non-negative/, false],
    [row({ Size: 'big' }), 'Size', /non-negative/, false],
    [row({ Size: '1e30' }), 'Size', /whole number of bytes up to 2\^53 - 1, found "1e30"/, false],
    [row({ Size: '100.5' }), 'Size', /whole number of bytes/, false],
    [row({ JobStart: 'x' }), 'JobStart', /non-negative/, false],
    [row({ JobStart: '0', reqDay: '0' }), 'JobStart', /no request time/, false],
    [row({ JobSuccess: 'maybe' }), 'JobSuccess', /true\/false/, true],
  ];
  for (const [line, field, reason, onlySuccessful] of cases) {
    const file = tempFile('bad.csv', `${header}\n${row({})}\n${line}\n`);
    await assertFormatError(readTrace(file, { onlySuccessful }), { file, line: 3, field, reason });
  }
});

test('a header-only cms file, and one where --only-successful keeps no job, are refused', async () => {
  const headerOnly = tempFile('h.csv', `${header}\n`);
  await assertFormatError(readTrace(headerOnly), {
    file: headerOnly,
    reason: /^no requests: the file holds no records$/,
  });
  const failed = tempFile('f.csv', `${header}\n${row({ JobSuccess: 'false' })}\n`);
  assert.equal((await readTrace(failed)).trace.length, 1);
  await assertFormatError(readTrace(failed, { onlySuccessful: true }), {
    file: failed,
    reason: /^no requests: no record is a successful job \(--only-successful\)$/,
  });
});

test('a time going back is sorted and reported at its line; jobs dropped by --only-successful are not counted', async () => {
  const body = [
    row({ JobStart: '2000' }),
    row({ JobStart: '1000', JobSuccess: 'false' }),
    row({ JobStart: '3000' }),
  ];
  const file = tempFile('back.csv', [header, ...body].join('\n'));
  const all = await readTrace(file);
  assert.deepEqual([...all.trace.time], [1000, 2000, 3000]);
  assert.deepEqual(all.firstOutOfOrder, { place: 'line', at: 3, time: 1000, after: 2000 });
  const successful = await readTrace(file, { onlySuccessful: true });
  assert.deepEqual([...successful.trace.time], [2000, 3000]);
  assert.equal(successful.outOfOrder, 0);
});
