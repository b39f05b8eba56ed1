import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedTraces, smartcache, tempPath } from '../helpers.js';

const bin = join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin');

test('simulate --json prints one object per run with the documented fields', async () => {
  const { stdout } = await smartcache(
    'simulate',
    '--trace',
    bin,
    '--policies',
    'lru,belady',
    '--sizes',
    '0.01',
    '--json',
  );
  const runs = JSON.parse(stdout);
  assert.equal(runs.length, 2);
  const lru = runs.find((r: { policy: string }) => r.policy === 'lru');
  for (const key of [
    'cacheSize',
    'requests',
    'hits',
    'hitRatio',
    'bytesRequested',
    'bytesHit',
    'byteHitRatio',
  ]) {
    assert.equal(typeof lru[key], 'number', key);
  }
  assert.equal(lru.cacheSize, 20_297_697);
  assert.equal(lru.requests, 113_872);
  assert.equal(Number(lru.missRatio.toFixed(4)), 0.8339);
  assert.ok(Array.isArray(lru.windows) && lru.windows.length >= 1);
});

test('simulate writes the table, an HTML report, PNG plots and the window CSV', async () => {
  const html = tempPath('report.html');
  const png = tempPath('png');
  const csv = tempPath('windows.csv');
  const { stdout } = await smartcache(
    'simulate',
    '--trace',
    bin,
    '--policies',
    'lru,s3fifo(fifo-size-ratio=0.2),infinite',
    '--sizes',
    '0.01,20MB',
    '--window',
    '1h',
    '--out',
    html,
    '--png',
    png,
    '--csv',
    csv,
  );
  assert.match(stdout, /^policy\s+cache size/);
  assert.match(stdout, /s3fifo\(fifo-size-ratio=0\.2\)/);
  assert.equal(stdout.match(/^infinite /gm)?.length, 1, 'the unbounded baseline runs once');
  assert.match(readFileSync(html, 'utf8'), /<html[\s\S]*vega/);
  assert.ok(readdirSync(png).filter((f) => f.endsWith('.png')).length >= 4);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.match(rows[0], /^policy,/);
  assert.ok(rows.length > 5 * 2, 'hourly windows over two hours for five runs');
});

test('simulate with watermarks and a WAN budget', async () => {
  const { stdout } = await smartcache(
    'simulate',
    '--trace',
    bin,
    '--policies',
    'lru',
    '--sizes',
    '0.1',
    '--watermarks',
    '0.9,0.5',
    '--bandwidth',
    '100kbit',
    '--json',
  );
  const [run] = JSON.parse(stdout);
  // the trace spans two hours of one day: 100 kbit/s allows 1.08 GB of fills that day
  assert.ok(run.bytesWritten <= 1.08e9, `written ${run.bytesWritten}`);
  assert.ok(run.redirected > 0);
  assert.ok(run.windows.every((w: { occupancy: number }) => w.occupancy <= 0.9 * run.cacheSize));
});

test('bad command lines fail with one clear message and exit code 1', async () => {
  const cases: [string[], RegExp][] = [
    [['simulate', '--trace', bin, '--policies', 'lru,nope'], /unknown policy "nope"/],
    [['simulate', '--trace', bin, '--sizes', '12 parsecs'], /12 parsecs/],
    [['simulate', '--trace', bin, '--watermarks', '0.9'], /watermarks "0.9" must be two fractions/],
    [['simulate', '--trace', tempPath('missing.csv')], /missing\.csv/],
    [
      ['simulate', '--trace', bin, '--jobs', 'x'],
      /option '-j, --jobs <n>' argument 'x' is invalid. expected integer in 1\.\.1024/,
    ],
    [['simulate', '--trace', bin, '--jobs', '0'], /--jobs <n>' argument '0' is invalid/],
    [['simulate', '--trace', bin, '--seed', '1.5'], /--seed <n>' argument '1\.5' is invalid/],
    [
      ['simulate', '--trace', bin, '--window', '1 fortnight'],
      /--window <duration>' argument '1 fortnight' is invalid/,
    ],
    [['simulate', '--trace', bin, '--bandwidth', 'fast'], /--bandwidth <rate>' argument 'fast' is invalid/],
    [
      ['simulate', '--trace', bin, '--policies', 's3fifo(fifo-size-ratio=2)'],
      /fifo-size-ratio=2: expected number in \(0, 1\)/,
    ],
    [
      ['plan', '--trace', bin, '--datalake', 'x.yaml', '--budget', '1TB', '--points', '1'],
      /--points <n>' argument '1' is invalid/,
    ],
    [['get', 'http://127.0.0.1:1/x', '--attempts', '0'], /--attempts <n>' argument '0' is invalid/],
    [
      ['generate', '--out', tempPath('g.csv'), '--requests', '1e3.5'],
      /--requests <n>' argument '1e3\.5' is invalid/,
    ],
    [
      ['serve', '--models', tempPath('m'), '--resolve-files', 'x'],
      /--resolve-files <n>' argument 'x' is invalid. expected integer >= 1/,
    ],
    [
      ['serve', '--models', tempPath('m'), '--max-upload', '5 parsecs'],
      /--max-upload <size>' argument '5 parsecs'/,
    ],
    [['serve', '--models', tempPath('m'), '--reload', 'often'], /--reload <duration>' argument 'often'/],
    [
      ['serve', '--models', tempPath('m'), '--listen', 'localhost'],
      /--listen <host:port>' argument 'localhost' is invalid. expected host:port/,
    ],
    [
      ['redirector', '--heartbeat-timeout', '0s'],
      /--heartbeat-timeout <duration>' argument '0s' is invalid. expected a duration above 0/,
    ],
    [['redirector', '--listen', '127.0.0.1:99999'], /--listen <host:port>' argument '127\.0\.0\.1:99999'/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(smartcache(...args), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1, args.join(' '));
      assert.match(err.stderr, message);
      // a usage error adds one hint line; nothing else is printed
      const lines = err.stderr
        .trim()
        .split('\n')
        .filter((line) => line !== "(add --help for the command's options)");
      assert.equal(lines.length, 1, `one line: ${err.stderr}`);
      return true;
    });
  }
});

test('--help teaches: policies listed with descriptions, examples given', async () => {
  const { stdout } = await smartcache('simulate', '--help');
  for (const name of [
    'lru',
    'belady',
    's3fifo',
    'wlru-additive',
    'sizebig',
    'nocache',
    'infinite',
    'learned-admit',
    'rl',
  ]) {
    assert.match(stdout, new RegExp(`^  ${name} `, 'm'));
  }
  // parameters come from each policy's declaration, with type, range and default
  assert.match(
    stdout,
    /^ +fifo-size-ratio=0\.1 {2}number in \(0, 1\): share of the bytes for the small FIFO$/m,
  );
  assert.match(stdout, /^ +candidates=64 {2}integer in 1\.\.4096: /m);
  assert.match(stdout, /Examples:/);
  assert.ok(existsSync(bin));
});
