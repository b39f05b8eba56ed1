import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { writePngPlots } from '../../src/report/png.js';
import { results } from './fixture.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const dir = await mkdtemp(join(tmpdir(), 'smartcache-png-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Width and height from the IHDR chunk, which PNG requires to come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('writePngPlots writes one sensible PNG per plot', async () => {
  const paths = await writePngPlots(results, join(dir, 'plots'));
  assert.deepEqual(paths.map((p) => basename(p)).sort(), [
    'byte-hit-ratio-over-time.png',
    'byte-hit-ratio-vs-size.png',
    'bytes-written-and-wan.png',
    'hit-ratio-over-time.png',
    'hit-ratio-vs-size.png',
  ]);
  for (const path of paths) {
    const png = await readFile(path);
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, path);
    const { width, height } = pngSize(png);
    assert.ok(width >= 1000 && width <= 2400, `${path} width ${width}`);
    assert.ok(height >= 600 && height <= 1600, `${path} height ${height}`);
  }
});
