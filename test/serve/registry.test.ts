import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ModelRegistry } from '../../src/serve/registry.js';
import { tempPath } from '../helpers.js';
import { tinyBundle } from './bundles.js';

test('an upload keeps the last --keep-versions versions plus pinned ones; the rest leave disk and memory', async () => {
  const bundle = await tinyBundle({ name: 'admit' });
  const registry = await ModelRegistry.create(tempPath('kept-models'), () => {}, { keepVersions: 3 });
  const upload = async () => {
    const staging = tempPath('upload');
    cpSync(bundle, staging, { recursive: true });
    return (await registry.install(staging)).version;
  };
  const onDisk = () =>
    readdirSync(path.join(registry.dir, 'admit'))
      .filter((f) => !['default', 'pinned'].includes(f))
      .sort();
  const loaded = () => registry.list().map((p) => p.version);
  try {
    for (let i = 0; i < 4; i++) await upload();
    assert.deepEqual(onDisk(), ['2', '3', '4'], 'nothing but version directories is left behind');
    assert.deepEqual(loaded(), [2, 3, 4]);
    await registry.setDefault('admit', 2);
    assert.equal(readFileSync(path.join(registry.dir, 'admit', 'pinned'), 'utf8'), '2\n');
    await upload();
    await upload();
    assert.deepEqual(onDisk(), ['2', '4', '5', '6'], 'version 2 is pinned');
    assert.deepEqual(loaded(), [2, 4, 5, 6]);
    assert.equal(registry.resolve('admit').version, 6, 'the upload serves');
    await registry.remove('admit', 2);
    assert.equal(
      readFileSync(path.join(registry.dir, 'admit', 'pinned'), 'utf8'),
      '',
      'a deleted version is unpinned',
    );
    await upload();
    assert.deepEqual(onDisk(), ['5', '6', '7']);
    assert.ok(!existsSync(path.join(registry.dir, 'admit', '4')));
  } finally {
    await registry.close();
  }
});

test('a bundle that fails to load is logged once at warn, again when its error changes, and its recovery', async () => {
  const logged: [string, string, Record<string, unknown> | undefined][] = [];
  const registry = await ModelRegistry.create(tempPath('failing-models'), (level, message, details) => {
    logged.push([level, message, details]);
  });
  try {
    const dir = await tinyBundle({ name: 'admit' }, path.join(registry.dir, 'admit', '1'));
    const weights = readFileSync(path.join(dir, 'weights.bin'));
    writeFileSync(path.join(dir, 'weights.bin'), weights.subarray(0, 100));
    for (let i = 0; i < 3; i++) await registry.rescan();
    const warnings = () => logged.filter(([level]) => level === 'warn');
    assert.equal(warnings().length, 1, JSON.stringify(logged));
    assert.match(String(warnings()[0][2]?.error), /weight files hold 100 bytes/);
    writeFileSync(path.join(dir, 'weights.bin'), weights.subarray(0, 200));
    await registry.rescan();
    await registry.rescan();
    assert.equal(warnings().length, 2, 'a different error is logged again');
    writeFileSync(path.join(dir, 'weights.bin'), weights);
    await registry.rescan();
    assert.equal(registry.resolve('admit').version, 1);
    assert.deepEqual(logged.at(-1)?.slice(0, 2), ['info', 'model loaded']);
    assert.equal(logged.at(-1)?.[2]?.recovered, true);
  } finally {
    await registry.close();
  }
});
