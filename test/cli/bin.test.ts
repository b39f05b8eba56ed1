import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundledCli, repoRoot, runCli, smartcache, tempPath } from '../helpers.js';

const bin = (...args: string[]) => runCli(bundledCli, args);

// the version comes from package.json, found from the chunk's own place (PACKAGE_ROOT, which
// the example stack's path and the stack's children use too)
test("the bundled bin is the package's bin and tells the package's version", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  assert.equal(pkg.bin.smartcache, 'dist/bin/smartcache.js');
  assert.equal((await bin('--version')).stdout.trim(), pkg.version);
});

test('the bundled bin simulates as the compiled command line does, on worker threads and with learned policies', async () => {
  const trace = tempPath('bin.csv');
  await bin('generate', '--requests', '20000', '--seed', '3', '--out', trace);
  // --jobs 2: the workers start from dist/bin/worker.js and import the learned policies' chunk
  const args = [
    'simulate',
    '--trace',
    trace,
    '--policies',
    'lru,s3fifo,lrb',
    '--sizes',
    '0.05',
    '--jobs',
    '2',
  ];
  const [bundled, compiled] = await Promise.all([bin(...args, '--json'), smartcache(...args, '--json')]);
  const results = (out: string) =>
    JSON.parse(out).map(({ elapsedMs: _, ...rest }: { elapsedMs: number }) => rest);
  const fromBin = results(bundled.stdout);
  assert.deepEqual(
    fromBin.map((r: { policy: string }) => r.policy),
    ['lru', 's3fifo', 'lrb'],
  );
  assert.deepEqual(fromBin, results(compiled.stdout));
});

test('the bundled bin lists every policy, the learned ones too', async () => {
  const help = (await bin('simulate', '--help')).stdout;
  for (const policy of ['s3fifo', 'belady', 'learned-admit', 'lrb']) assert.match(help, new RegExp(policy));
});
