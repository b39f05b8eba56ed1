import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { smartcache, tempPath } from '../helpers.js';

test('demo runs the whole loop: its table ends with the gap closed per size, its report leads with learned vs best classic vs Belady', async () => {
  const out = tempPath('demo.html');
  const png = tempPath('demo-png');
  const sizes = '0.01,0.1';
  const { stdout, stderr } = await smartcache(
    'demo',
    '-n',
    '30000',
    '--epochs',
    '1',
    '-s',
    sizes,
    '-o',
    out,
    '--png',
    png,
    '-j',
    '1',
  );
  for (const step of ['[1/4] generating', '[2/4] preparing', '[3/4] training', '[4/4] evaluating'])
    assert.ok(stderr.includes(step), `${step} in:\n${stderr}`);
  const gapTable = stdout.slice(stdout.lastIndexOf('cache size'));
  assert.match(gapTable.split('\n')[0], /role .* gap closed/);
  for (const policy of ['learned-admit', 'learned-evict', 'lrb'])
    assert.equal(
      gapTable.split('\n').filter((l) => l.includes(policy)).length,
      2,
      `${policy}: one row per size`,
    );
  assert.equal(gapTable.split('\n').filter((l) => /\bbelady\b/.test(l)).length, 2);
  const html = readFileSync(out, 'utf8');
  const firstPlot = /<figure id="([^"]+)"/.exec(html)?.[1];
  assert.equal(firstPlot, 'learned-vs-best-classic');
  assert.ok(readdirSync(png).includes('learned-vs-best-classic.png'));
});
