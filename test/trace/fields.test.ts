import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lateTimeReason, MAX_TIME_SECONDS, parseNumber } from '../../src/trace/fields.js';
import { CMS_COLUMNS } from '../../src/trace/formats/cms.js';
import type { FormatName } from '../../src/trace/read.js';
import { smartcache } from '../helpers.js';
import { assertFormatError, readText, tempFile, tempPath } from './helpers.js';

test('one number parser: finite decimals only', () => {
  for (const [text, value] of [
    ['5', 5],
    [' 5 ', 5],
    ['-2.5', -2.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['+7', 7],
  ] as const) {
    assert.equal(parseNumber(text), value, text);
  }
  for (const text of [
    '',
    ' ',
    '\t',
    '0x1f',
    '0b11',
    '0o7',
    '1_000',
    'Infinity',
    '-Infinity',
    '1e309',
    'NaN',
    '1,5',
    '5s',
    '--1',
  ]) {
    assert.ok(Number.isNaN(parseNumber(text)), JSON.stringify(text));
  }
});

test('a time past year 9999 names the unit it most likely is in', () => {
  assert.equal(lateTimeReason(MAX_TIME_SECONDS - 1), undefined);
  assert.match(
    lateTimeReason(1.7e12)!,
    /^time 1700000000000 seconds is past year 9999 \(it looks like milliseconds since 1970\)/,
  );
  assert.match(lateTimeReason(1.7e15)!, /looks like microseconds/);
  assert.match(lateTimeReason(1.7e18)!, /looks like nanoseconds/);
  assert.match(
    lateTimeReason(1.7e15, 'milliseconds')!,
    /^time 1700000000000000 milliseconds .*looks like microseconds/,
  );
  assert.doesNotMatch(lateTimeReason(1e300)!, /looks like/);
});

const cmsHeader = CMS_COLUMNS.join(',');
function cmsRow(jobStart: string, size = '100'): string {
  const values: Record<string, string> = {
    Filename: 'f',
    Size: size,
    JobStart: jobStart,
    JobSuccess: 'true',
  };
  return CMS_COLUMNS.map((c) => values[c] ?? '0').join(',');
}

/** [format, file content, line, field, reason]: every text reader refuses them the same way. */
const BAD: [FormatName, string, number, string, RegExp][] = [
  [
    'csv',
    'time,id,size\n1,a,1\nInfinity,a,1\n',
    3,
    'time',
    /expected seconds >= 0 or an ISO-8601 date, found "Infinity"/,
  ],
  ['csv', 'time,id,size\n1e309,a,1\n', 2, 'time', /found "1e309"/],
  [
    'csv',
    'time,id,size\n1700000000000000,a,1\n',
    2,
    'time',
    /past year 9999 \(it looks like microseconds since 1970\)/,
  ],
  ['csv', 'time,id,size\n1,a, \n', 2, 'size', /whole number of bytes .*found " "/],
  ['csv', 'time,id,size\n1,a,0x1f\n', 2, 'size', /found "0x1f"/],
  ['csv', 'time,id,size\n1,a,0b11\n', 2, 'size', /found "0b11"/],
  ['csv', 'time,id,size\n1,a,1_000\n', 2, 'size', /found "1_000"/],
  ['csv', 'time,id,size\n 0x10 ,a,1\n', 2, 'time', /found " 0x10 "/],
  [
    'csv',
    'time,id,size\n2019-02-30,a,1\n',
    2,
    'time',
    /impossible ISO-8601 date "2019-02-30": month 02 of 2019 has days 01 to 28/,
  ],
  ['csv', 'time,id,size\n2019-04-31T10:00:00Z,a,1\n', 2, 'time', /month 04 of 2019 has days 01 to 30/],
  ['csv', 'time,id,size\n2019-01-01T24:00:00Z,a,1\n', 2, 'time', /no hour 24/],
  ['csv', 'time,id,size\n2019-01-01T10:60Z,a,1\n', 2, 'time', /no minute 60/],
  ['csv', 'time,id,size\n2019-13-01,a,1\n', 2, 'time', /no month 13/],
  [
    'libcachesim-csv',
    'time,obj_id,obj_size\n1,2,3\nInfinity,2,3\n',
    3,
    'time',
    /non-negative number, found "Infinity"/,
  ],
  ['libcachesim-csv', 'time,obj_id,obj_size\n1700000000000,2,3\n', 2, 'time', /looks like milliseconds/],
  ['libcachesim-csv', 'time,obj_id,obj_size\n1,2, \n', 2, 'obj_size', /found " "/],
  ['libcachesim-csv', 'time,obj_id,obj_size\n1,2,3\n2, ,3\n', 3, 'obj_id', /expected a numeric object id/],
  ['libcachesim-csv', 'time,obj_id,obj_size\n1,2,3\n2,1_0,3\n', 3, 'obj_id', /expected a numeric object id/],
  ['cms', `${cmsHeader}\n${cmsRow('1e309')}\n`, 2, 'JobStart', /non-negative number, found "1e309"/],
  ['cms', `${cmsHeader}\n${cmsRow('1546300800000000')}\n`, 2, 'JobStart', /looks like microseconds/],
  ['cms', `${cmsHeader}\n${cmsRow(' ')}\n`, 2, 'JobStart', /non-negative number, found " "/],
  ['cms', `${cmsHeader}\n${cmsRow('5', '0x10')}\n`, 2, 'Size', /found "0x10"/],
  [
    'xrootd',
    '{"file_lfn":"/a","file_size":1,"start_time":1e309}\n',
    1,
    'start_time',
    /found null|found nothing|non-negative/,
  ],
  [
    'xrootd',
    '{"file_lfn":"/a","file_size":1,"start_time":"Infinity"}\n',
    1,
    'start_time',
    /found "Infinity"/,
  ],
  [
    'xrootd',
    '{"file_lfn":"/a","file_size":1,"start_time":1546300800000000}\n',
    1,
    'start_time',
    /milliseconds is past year 9999 \(it looks like microseconds/,
  ],
  [
    'xrootd',
    '{"event":"file_close","lfn":"/a","size":1,"attach_t":1546300800000,"b_hit":0,"b_miss":1,"b_bypass":0}\n',
    1,
    'attach_t',
    /seconds is past year 9999 \(it looks like milliseconds/,
  ],
  ['xrootd', '{"file_lfn":"/a","file_size":" ","start_time":5}\n', 1, 'file_size', /found " "/],
];

test('every text reader refuses non-finite, non-decimal and blank numbers, times past year 9999 and impossible dates at line and field', async () => {
  for (const [format, content, line, field, reason] of BAD) {
    await assertFormatError(readText(`bad.${format}`, content, { format, skipBad: 0 }), {
      line,
      field,
      reason,
    });
  }
});

test('ISO dates: a space or T, fractions, offsets; without an offset UTC', async () => {
  const { trace } = await readText(
    'iso.csv',
    'time,id,size\n2019-01-01 10:00:00,a,1\n2019-01-01T10:00:00.5Z,a,1\n2019-01-01T12:00+02:00,a,1\n2020-02-29,a,1\n',
  );
  const at10 = Date.UTC(2019, 0, 1, 10) / 1000;
  assert.deepEqual([...trace.time], [at10, at10, at10 + 0.5, Date.UTC(2020, 1, 29) / 1000].sort());
});

test('inspect, simulate --csv/--out, prep and convert of a trace in microseconds fail with the line and the likely unit', async () => {
  const file = tempFile('micro.csv', 'time,id,size\n1546300800000000,a,1\n1546300800000001,b,1\n');
  const runs = [
    ['inspect', file],
    ['simulate', '--trace', file, '--policies', 'lru', '--sizes', '0.5', '--csv', tempPath('series.csv')],
    ['simulate', '--trace', file, '--policies', 'lru', '--sizes', '0.5', '--out', tempPath('report.html')],
    ['prep', '--trace', file, '--out', tempPath('features')],
    ['convert', file, tempPath('out.csv')],
  ];
  for (const args of runs) {
    await assert.rejects(smartcache(...args), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1, args[0]);
      assert.match(
        err.stderr,
        /micro\.csv:2 field "time": time 1546300800000000 seconds is past year 9999 \(it looks like microseconds since 1970\)/,
      );
      assert.doesNotMatch(err.stderr, /Invalid time value/);
      return true;
    });
  }
});
