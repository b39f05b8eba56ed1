import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { examples, smartcache, tempPath } from '../helpers.js';

/** A sweep of 7 runs (the unbounded baseline runs once), small enough for seconds. */
const SWEEP = [
  '--policies',
  'lru,s3fifo,belady,infinite',
  '--sizes',
  '0.01,0.1',
  '--window',
  '6h',
  '--jobs',
  '1',
];
const LAKE = ['--datalake', join(examples, 'lake.yaml')];

let trace: string;
let otherTrace: string;

before(async () => {
  trace = tempPath('sweep.csv');
  otherTrace = tempPath('other.csv');
  await smartcache('generate', '--requests', '20000', '--seed', '5', '--out', trace);
  await smartcache('generate', '--requests', '20000', '--seed', '6', '--out', otherTrace);
});

/** What `simulate ...args` writes unsharded: its table, its JSON, its HTML report and its CSV. */
async function unsharded(args: string[]) {
  const [html, csv] = [tempPath('report.html'), tempPath('windows.csv')];
  const table = (await smartcache('simulate', '--trace', trace, ...args)).stdout;
  const json = (
    await smartcache('simulate', '--trace', trace, ...args, '--json', '--out', html, '--csv', csv)
  ).stdout;
  return { table, json, html: readFileSync(html, 'utf8'), csv: readFileSync(csv, 'utf8') };
}

/** The part file of shard i/count of `simulate --trace file ...args`, written into `dir`. */
async function shard(
  args: string[],
  i: number,
  count: number,
  file = trace,
  dir = tempPath('parts'),
): Promise<string> {
  const part = join(dir, `part-${i}.json`);
  const { stderr } = await smartcache(
    'simulate',
    '--trace',
    file,
    ...args,
    '--shard',
    `${i}/${count}`,
    '--part',
    part,
  );
  assert.match(stderr, new RegExp(`^shard ${i}/${count}: \\d+ of \\d+ (runs|sites), wrote `, 'm'));
  return part;
}

/** The part files of every shard of `count`, in one fresh folder. */
async function shards(args: string[], count: number): Promise<string[]> {
  const dir = tempPath('parts');
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(await shard(args, i, count, trace, dir));
  return parts;
}

async function merged(parts: string[]) {
  const out = tempPath('merged');
  const { stdout } = await smartcache('merge', ...parts, '--out', out);
  const read = (name: string) => readFileSync(join(out, name), 'utf8');
  return {
    stdout,
    table: read('table.txt'),
    json: read('results.json'),
    html: read('report.html'),
    csv: read('windows.csv'),
  };
}

/** Results without the wall times, which differ between any two runs. */
const numbers = (json: string) =>
  JSON.stringify(JSON.parse(json), (key, value) => (key === 'elapsedMs' ? undefined : value));
/** The report without its one line of provenance (time and command line). */
const report = (html: string) => html.replace(/<p class="meta">Generated .*?<\/p>/, '');

/** `byFolder`: merge is given the parts' folder instead of the files. */
async function assertMergedEqualsUnsharded(args: string[], count: number, byFolder = false): Promise<void> {
  const whole = await unsharded(args);
  const parts = await shards(args, count);
  const result = await merged(byFolder ? [dirname(parts[0])] : [...parts].reverse());
  assert.equal(result.table, whole.table);
  assert.equal(result.stdout, whole.table);
  assert.equal(numbers(result.json), numbers(whole.json));
  assert.equal(result.csv, whole.csv);
  assert.equal(report(result.html), report(whole.html));
  // the report names the sweep's command, the same for every shard
  assert.match(
    result.html,
    new RegExp(`by <code>smartcache simulate --trace ${trace} ${args.join(' ')}</code>`),
  );
}

test('simulate --shard I/3 then merge: the table, JSON, CSV and HTML report of the unsharded run', async () => {
  await assertMergedEqualsUnsharded(SWEEP, 3);
});

test('simulate --datalake --shard I/2 then merge: the lake tables, JSON, CSV and report of the unsharded replay', async () => {
  await assertMergedEqualsUnsharded(LAKE, 2, true);
  const parts = await shards(LAKE, 3);
  const sites = parts.map((file) => JSON.parse(readFileSync(file, 'utf8')).cells as number[]);
  assert.deepEqual(sites.flat().sort(), [0, 1, 2], 'every lake site in exactly one shard');
});

test('merge names the missing shards, refuses a shard twice, another trace and another grid', async () => {
  const parts = await shards(SWEEP, 4);
  const fails = async (files: string[], message: RegExp) =>
    assert.rejects(
      smartcache('merge', ...files, '--out', tempPath('bad')),
      (err: { code: number; stderr: string }) => {
        assert.equal(err.code, 1);
        assert.match(err.stderr, message);
        return true;
      },
    );
  await fails([parts[0], parts[2]], /parts: missing shard\(s\) 1, 3 of 4 \(have 0, 2\)/);
  await fails(
    [...parts, parts[1]],
    /part-\d+\.json: shard: shard 1\/4 again: \S+part-\d+\.json is that shard too/,
  );
  const fromOther = await shard(SWEEP, 1, 4, otherTrace);
  await fails(
    [parts[0], fromOther, parts[2], parts[3]],
    /trace: \S+other\.csv \(\d+ bytes, sha256 \w+\) is not the trace of/,
  );
  const otherGrid = await shard([...SWEEP.slice(0, 3), '0.01,0.2', ...SWEEP.slice(4)], 1, 4);
  await fails([parts[0], otherGrid, parts[2], parts[3]], /grid: its grid \(settings and cells\) differs/);
  await fails([parts[0], trace], /format: not a part file|\(file\): Unexpected token/);
});

test('--shard takes I/N with I below N and at most one shard per run, and goes with --part alone', async () => {
  const rejects = (args: string[], message: RegExp) =>
    assert.rejects(smartcache('simulate', '--trace', trace, ...SWEEP, ...args), (err: { stderr: string }) => {
      assert.match(err.stderr, message);
      return true;
    });
  await rejects(['--shard', '3/3', '--part', tempPath('p.json')], /"3\/3" is not I\/N with 0 <= I < N/);
  await rejects(
    ['--shard', '0/8', '--part', tempPath('p.json')],
    /8 shards of a grid of 7 cell\(s\): give at most 7/,
  );
  await rejects(['--shard', '0/2'], /--shard needs --part FILE/);
  await rejects(['--part', tempPath('p.json')], /--part goes with --shard/);
  await rejects(
    ['--shard', '0/2', '--part', tempPath('p.json'), '--out', tempPath('r.html')],
    /the reports \(--out\) are written by `smartcache merge`/,
  );
});

test('merge --help teaches: examples, the checks and the files it writes', async () => {
  const { stdout } = await smartcache('merge', '--help');
  assert.match(stdout, /Examples:\n\s+\$ smartcache merge parts\/\*\.json --out merged\//);
  for (const file of ['table.txt', 'results.json', 'report.html', 'windows.csv'])
    assert.match(stdout, new RegExp(file));
  assert.match(stdout, /missing shards \(it names their indexes\)/);
  const simulate = (await smartcache('simulate', '--help')).stdout;
  assert.match(simulate, /--shard <I\/N>/);
  assert.match(simulate, /JOB_COMPLETION_INDEX/);
});
