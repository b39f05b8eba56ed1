import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { smartcache, tempPath } from '../helpers.js';

test('generate is deterministic per seed and writes any format; inspect reads it back', async () => {
  const [a, b, c] = [tempPath('a.csv'), tempPath('b.csv'), tempPath('c.csv')];
  const small = ['--requests', '5000', '--max-file-size', '4GB'];
  await smartcache('generate', ...small, '--seed', '7', '--out', a);
  await smartcache('generate', ...small, '--seed', '7', '--out', b);
  await smartcache('generate', ...small, '--seed', '8', '--out', c);
  assert.deepEqual(readFileSync(a), readFileSync(b));
  assert.notDeepEqual(readFileSync(a), readFileSync(c));

  const bin = tempPath('gen.oracleGeneral.bin');
  const { stderr } = await smartcache('generate', ...small, '--seed', '7', '--out', bin);
  assert.match(stderr, /wrote 5000 requests .* as oracle-general/);
  const fromCsv = JSON.parse((await smartcache('inspect', a, '--json')).stdout);
  const fromBin = JSON.parse((await smartcache('inspect', bin, '--json')).stdout);
  assert.equal(fromCsv.requests, 5000);
  assert.equal(fromCsv.format, 'csv');
  assert.equal(fromBin.format, 'oracle-general');
  for (const key of ['uniqueObjects', 'uniqueBytes', 'oneHitWonderRatio'])
    assert.equal(fromBin[key], fromCsv[key], key);
  assert.ok(fromCsv.zipf.alpha > 0);
});

test('inspect prints a human summary', async () => {
  const file = tempPath('d.csv.gz');
  await smartcache('generate', '--requests', '3000', '--out', file);
  const { stdout } = await smartcache('inspect', file);
  assert.match(stdout, /requests\s+3,000/);
  assert.match(stdout, /one-hit wonders/);
  assert.match(stdout, /Zipf alpha/);
  assert.match(stdout, /reuse distance/);
});

test('demo runs the main job end to end and writes report.html', async () => {
  const out = tempPath('demo.html');
  const { stdout, stderr } = await smartcache(
    'demo',
    '--requests',
    '20000',
    '--sizes',
    '0.05,0.2',
    '--out',
    out,
  );
  assert.match(stdout, /belady/);
  assert.match(stderr, /wrote .*demo\.html/);
  assert.match(readFileSync(out, 'utf8'), /Byte hit ratio vs cache size/);
});

test('a file too large for oracleGeneral is refused with the request and field named', async () => {
  const bin = tempPath('big.bin');
  await assert.rejects(
    smartcache('generate', '--requests', '5000', '--out', bin),
    (err: { stderr: string }) => {
      assert.match(
        err.stderr,
        /cannot write request \d+ as oracle-general: size \d+ does not fit the 32-bit field/,
      );
      return true;
    },
  );
});
