import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { readTrace } from '../../src/trace/read.js';
import { smartcache } from '../helpers.js';
import { examples, requests, sharedTraces, tempFile, tempPath } from './helpers.js';

function convert(...args: string[]) {
  return smartcache('convert', ...args);
}

test('convert cms to oracleGeneral and the shared csv to gzip csv, with a one-line summary', async () => {
  const out = tempPath('cms.bin');
  const { stderr } = await convert(join(examples, 'cms-sample.csv'), out, '--only-successful');
  assert.match(
    stderr,
    /sorted .*cms-sample\.csv by time: 1 requests were out of order \(the first at line 9: time 1546300800 after 1546311958\)/,
  );
  assert.match(stderr, /\(cms\) -> .*\(oracle-general\): 18 requests, 6 objects, 0 skipped/);
  assert.equal((await readTrace(out)).trace.length, 18);
  const gz = tempPath('cp.csv.gz');
  await convert(join(sharedTraces, 'cloudPhysicsIO.csv'), gz);
  const { trace } = await readTrace(gz);
  assert.equal(trace.length, 113_872);
  assert.equal(trace.objectCount, 48_974);
});

test('convert with --map, --to and --csv-params', async () => {
  const out = tempPath('mapped.jsonl');
  await convert(join(examples, 'mapped.csv'), out, '--map', 'time=ts,id=lfn,size=bytes,site=site');
  const back = (await readTrace(out)).trace;
  assert.equal(back.length, 12);
  const params = tempPath('p.out');
  const input = tempFile('p.tsv', 'k1\t5\t100\nk2\t6\t100\n');
  const { stderr } = await convert(
    input,
    params,
    '--to',
    'csv',
    '--csv-params',
    'obj-id-col=1, time-col=2, size-col=3, delimiter=\\t',
  );
  assert.match(stderr, /2 requests, 2 objects/);
  assert.deepEqual(requests((await readTrace(params, { format: 'csv' })).trace)[0], {
    time: 5,
    key: 'k1',
    size: 100,
  });
});

test('skip-bad reports each skipped line; a bad line beyond the budget fails without leaving output', async () => {
  const input = tempFile('bad.csv', 'time,id,size\n1,a,1\n2,b,-1\n3,c,x\n');
  const ok = tempPath('ok.csv');
  const { stderr } = await convert(input, ok, '--skip-bad', '2');
  assert.match(stderr, /skipped: .*bad\.csv:3 field "size"/);
  assert.match(stderr, /1 requests, 1 objects, 2 skipped/, 'ids of skipped lines are not interned');
  const failed = tempPath('failed.csv');
  await assert.rejects(convert(input, failed, '--skip-bad', '1'), (err: { stderr: string; code: number }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /bad\.csv:4 field "size": expected a non-negative whole number of bytes/);
    return true;
  });
  assert.equal(existsSync(failed), false);
  assert.deepEqual(
    readdirSync(dirname(failed)).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('simulate refuses a header-only libcachesim-csv file as it refuses an empty one', async () => {
  for (const [name, content, reason] of [
    ['h.csv', 'time,obj_id,obj_size\n', 'no requests: the file holds no records'],
    ['e.csv', '', 'no requests: the file is empty'],
  ]) {
    const file = tempFile(name, content);
    const run = smartcache('simulate', '--trace', file, '--format', 'libcachesim-csv', '--sizes', '1MB');
    await assert.rejects(run, (err: { stderr: string; code: number }) => {
      assert.equal(err.code, 1);
      assert.ok(err.stderr.includes(`${file}: ${reason}`), err.stderr);
      return true;
    });
  }
});

test('simulate refuses a size above 2^53 - 1 with file, line and field', async () => {
  const file = tempFile('big.csv', 'time,obj_id,obj_size\n1,1,10\n2,2,1e30\n');
  await assert.rejects(
    smartcache('simulate', '--trace', file, '--sizes', '1MB'),
    (err: { stderr: string }) => {
      assert.ok(
        err.stderr.includes(`${file}:3 field "obj_size": expected a non-negative whole number`),
        err.stderr,
      );
      return true;
    },
  );
});

test('simulate sorts times that go back, with a notice naming the first, even under --skip-bad', async () => {
  const file = tempFile('back.csv', 'time,obj_id,obj_size\n1,1,10\n5,1,10\n3,2,10\n2,3,10\n');
  for (const extra of [[], ['--skip-bad', '5']]) {
    const { stdout, stderr } = await smartcache(
      'simulate',
      '--trace',
      file,
      '--policies',
      'lru',
      '--sizes',
      '20',
      '--json',
      ...extra,
    );
    assert.ok(
      stderr.includes(
        `sorted ${file} by time: 2 requests were out of order (the first at line 4: time 3 after 5)`,
      ),
      stderr,
    );
    const [lru] = JSON.parse(stdout);
    assert.equal(lru.requests, 4);
    assert.equal(
      lru.hits,
      0,
      'in time order objects 3 and 2 push 1 out before it comes back (in file order it would hit)',
    );
  }
});

test('convert --help lists formats and examples', async () => {
  const { stdout } = await convert('--help');
  for (const f of ['libcachesim-csv', 'oracle-general', 'cms', 'xrootd', 'csv', 'Examples:'])
    assert.match(stdout, new RegExp(f));
});
