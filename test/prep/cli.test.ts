import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MANIFEST_FILE } from '../../src/prep/schema.js';
import { smartcache, tempFile, tempPath } from '../helpers.js';
import { readFeatures } from './helpers.js';

type CliError = { stderr: string };

test('smartcache prep writes a feature set, reports stages and prints the manifest', async () => {
  const trace = tempPath('gen.csv');
  await smartcache('generate', '--requests', '3000', '--days', '2', '--seed', '5', '--out', trace);
  const out = tempPath('features');
  const { stdout, stderr } = await smartcache(
    'prep',
    '--trace',
    trace,
    '--out',
    out,
    '--horizon',
    '6h',
    '--json',
  );
  const manifest = JSON.parse(stdout);
  assert.equal(manifest.rows, 3000);
  assert.equal(manifest.settings.horizon, 6 * 3600);
  assert.equal(manifest.settings.format, 'csv');
  assert.deepEqual(manifest.settings.inputs, ['site', 'user', 'dataset']);
  assert.match(stderr, /labelling with Belady: 3(\.0)? k requests/);
  assert.match(stderr, /features and writing/);
  assert.match(stderr, /wrote 3(\.0)? k rows over 2 days/);
  assert.ok(existsSync(join(out, MANIFEST_FILE)));
  assert.equal((await readFeatures(out)).length, 3000);

  await assert.rejects(smartcache('prep', '--trace', trace, '--out', out), (err: CliError) => {
    assert.match(err.stderr, /output .*features is not empty; pass --overwrite to replace it/);
    return true;
  });
  await smartcache('prep', '--trace', trace, '--out', out, '--overwrite');
});

test('smartcache prep names unreadable input and missing columns', async () => {
  const out = tempPath('never');
  await assert.rejects(
    smartcache('prep', '--trace', tempPath('missing.csv'), '--out', out),
    (err: CliError) => {
      assert.match(err.stderr, /smartcache: .*missing\.csv/);
      return true;
    },
  );
  const noSize = tempFile('nosize.csv', 'ts,lfn\n1,/a\n2,/b\n');
  await assert.rejects(
    smartcache('prep', '--trace', noSize, '--map', 'time=ts,id=lfn,size=bytes', '--out', out),
    (err: CliError) => {
      assert.match(err.stderr, /bytes/);
      return true;
    },
  );
  assert.equal(existsSync(out), false);
  assert.ok(!readdirSync(join(out, '..')).some((f) => f.includes('never')));
});
