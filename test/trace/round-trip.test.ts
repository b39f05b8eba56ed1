/**
 * Every writer round-trips through its reader: a trace with awkward content is written in
 * each format and read back, request by request and field by field, comparing what the
 * format holds (`held` says, per format, what that is). Then every pair of formats is
 * converted, as `smartcache convert A B` does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceFromRequests } from '../../src/trace/builder.js';
import { cmsDataset } from '../../src/trace/formats/cms.js';
import { lfnDataset } from '../../src/trace/lfn.js';
import type { Request, Trace } from '../../src/trace/model.js';
import { FORMATS, type FormatName, readTrace } from '../../src/trace/read.js';
import { writeTrace } from '../../src/trace/write.js';
import { smartcache } from '../helpers.js';
import { requests, roundTrip, tempPath } from './helpers.js';

const START = 1_546_300_800.25;
const LARGEST_BYTES = Number.MAX_SAFE_INTEGER;
const U32_MAX = 0xffffffff;
const LFN = '/store/mc/Camp2018/Proc,1/MINIAODSIM/x "y" ü.root';

/** Text ids with a comma, quotes, spaces, unicode, an LFN and one that looks like a number (not first). */
const AWKWARD_IDS = ['a,b', 'say "hi"', '  spaced  out ', 'ünïcødé ☃ 日本', LFN, '123', "it's;|\t"];

function awkwardRequests(largest: number, optional: boolean): Request[] {
  return Array.from({ length: 21 }, (_, i) => {
    const key = AWKWARD_IDS[(i * 5) % AWKWARD_IDS.length];
    const size = [0, 1, largest, 4096][i % 4];
    const req: Request = { time: START + i * 1.5, key, size };
    if (optional) {
      req.site = ['T2_CH_CERN', 'T1, "quoted"', ''][i % 3];
      req.user = ['ü ser', 'user,2'][i % 2];
      req.dataset = key === LFN ? '/store/mc/Camp2018/Proc,1/MINIAODSIM' : ['Camp/Proc,a', 'one', ''][i % 3];
      req.op = i % 4 === 1 ? 'write' : 'read';
      req.bytesRead = i % 2 === 0 ? size : Math.floor(size / 3);
    }
    return req;
  });
}

/** Numeric ids, as libCacheSim traces have: 0, ordinary ones and u64 ids beyond 2^53. */
function numericRequests(): Request[] {
  const ids: Request['key'][] = [0, 7, 2n ** 64n - 1n, 2n ** 53n + 1n, 7, 0, 123_456_789];
  return ids.map((key, i) => ({ time: START + i, key, size: [0, U32_MAX, 10][i % 3] }));
}

/** What reading back a written request gives, per format (`obj` is its dense object index). */
const held: Record<FormatName, (req: Request, obj: number) => Request> = {
  // every field; ids become text
  csv: (req) => ({ ...withoutNext(req), key: String(req.key) }),
  // time, id and size only; ids keep their kind (numeric traces stay numeric)
  'libcachesim-csv': (req) => ({ time: req.time, key: req.key, size: req.size }),
  // no op (every job reads) nor bytes read; site and user always (empty when absent); the
  // dataset of an LFN is its first five components, otherwise Campaign/Process
  cms: (req) => {
    const key = String(req.key);
    const dataset = req.dataset ?? '';
    const slash = dataset.indexOf('/');
    const [campaign, process] =
      slash === -1 ? [dataset, ''] : [dataset.slice(0, slash), dataset.slice(slash + 1)];
    return {
      time: req.time,
      key,
      size: req.size,
      site: req.site ?? '',
      user: req.user ?? '',
      dataset: cmsDataset(key, campaign, process),
      op: 'read',
    };
  },
  // times in whole milliseconds; the dataset of an LFN (others none); op read; bytes read, site and user when present
  xrootd: (req) => {
    const back: Request = { time: Math.round(req.time * 1000) / 1000, key: String(req.key), size: req.size };
    const dataset = lfnDataset(String(req.key));
    if (dataset !== undefined) back.dataset = dataset;
    if (req.site !== undefined) back.site = req.site;
    if (req.user !== undefined) back.user = req.user;
    back.op = 'read';
    if (req.bytesRead !== undefined) back.bytesRead = req.bytesRead;
    return back;
  },
  // whole seconds, u64 ids (text ids become their dense index), sizes; the next-access links
  // are checked against the requests when read, so a trace read back has none of its own
  'oracle-general': (req, obj) => ({
    time: Math.round(req.time),
    key: typeof req.key === 'string' ? obj : req.key,
    size: req.size,
  }),
};

function withoutNext(req: Request): Request {
  const { nextAccess: _, ...rest } = req;
  return rest;
}

function expected(trace: Trace, format: FormatName): Request[] {
  const back = requests(trace).map((req, i) => held[format](req, trace.obj[i]));
  // a column read back is present for every request: empty where a request has no value
  if (back.some((req) => req.dataset !== undefined)) for (const req of back) req.dataset ??= '';
  return back;
}

/** Text formats hold any size up to 2^53 - 1; oracleGeneral sizes are u32. */
const largestSize = (format: FormatName) => (format === 'oracle-general' ? U32_MAX : LARGEST_BYTES);

const WRITABLE = FORMATS.map((f) => f.name);

for (const format of WRITABLE) {
  test(`${format}: awkward ids, sizes 0 and ${largestSize(format)}, optional fields present and absent read back`, async () => {
    for (const optional of [true, false]) {
      const trace = traceFromRequests(awkwardRequests(largestSize(format), optional), true);
      const back = await roundTrip(trace, format, `awkward-${optional}`);
      assert.deepEqual(requests(back), expected(trace, format), optional ? 'with optional fields' : 'bare');
    }
  });
}

for (const format of ['libcachesim-csv', 'oracle-general', 'csv'] as const) {
  test(`${format}: numeric ids (0, u64 beyond 2^53) read back`, async () => {
    const trace = traceFromRequests(numericRequests());
    assert.deepEqual(requests(await roundTrip(trace, format, 'numeric')), expected(trace, format));
  });
}

/** A file in `format` holding the awkward trace with every optional field, and the trace read from it. */
async function awkwardFile(format: FormatName): Promise<{ file: string; trace: Trace }> {
  const file = tempPath(`source.${format}`);
  await writeTrace(traceFromRequests(awkwardRequests(U32_MAX, true), true), file, format);
  return { file, trace: (await readTrace(file, { format })).trace };
}

for (const from of WRITABLE) {
  test(`convert ${from} to every format`, async () => {
    const { file, trace } = await awkwardFile(from);
    for (const to of WRITABLE) {
      const out = tempPath(`converted.${to}`);
      await smartcache('convert', file, out, '--from', from, '--to', to);
      const back = (await readTrace(out, { format: to })).trace;
      assert.deepEqual(requests(back), expected(trace, to), `${from} -> ${to}`);
    }
  });
}

test('what would not read back is refused by the writer, naming the request and field', async () => {
  const cases: [FormatName, Request, RegExp][] = [
    ['csv', { time: 5, key: 'a\nb', size: 1 }, /request 0 as csv: id "a\\nb" holds a line break/],
    [
      'csv',
      { time: 5, key: 'a', size: 1, site: 's\nt' },
      /request 0 as csv: site "s\\nt" holds a line break/,
    ],
    ['csv', { time: 5, key: '', size: 1 }, /request 0 as csv: id is empty/],
    ['cms', { time: 5, key: 'a\rb', size: 1 }, /request 0 as cms: Filename "a\\rb" holds a line break/],
    [
      'cms',
      { time: 5, key: 'a', size: 1, user: 'u\n' },
      /request 0 as cms: UserID "u\\n" holds a line break/,
    ],
    ['cms', { time: 5, key: '', size: 1 }, /request 0 as cms: Filename is empty/],
    ['cms', { time: 0, key: 'a', size: 1 }, /request 0 as cms: JobStart 0 cannot be read back/],
    [
      'cms',
      { time: 5, key: '/store/mc/A/B/C/x.root', size: 1, dataset: 'other' },
      /request 0 as cms: dataset "other" would be read back as "\/store\/mc\/A\/B\/C"/,
    ],
    ['cms', { time: 5, key: 'k', size: 1, dataset: 'x/' }, /dataset "x\/" would be read back as "x"/],
    ['xrootd', { time: 5, key: '', size: 1 }, /request 0 as xrootd: file_lfn is empty/],
    ['libcachesim-csv', { time: 5, key: 'a\nb', size: 1 }, /obj_id "a\\nb" holds a line break/],
  ];
  for (const [format, request, message] of cases) {
    await assert.rejects(
      writeTrace(traceFromRequests([request], true), tempPath('refused'), format),
      message,
    );
  }
});
