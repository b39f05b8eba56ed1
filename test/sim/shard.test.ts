import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { byWork, parseShard, readPart, roundRobin, ShardError } from '../../src/sim/shard.js';
import { tempPath } from '../helpers.js';

/** Every shard's cells of a split: together each cell once. */
function split(count: number, cellsOf: (index: number) => number[]): number[][] {
  return Array.from({ length: count }, (_, index) => cellsOf(index));
}

test('round robin deals every cell to one shard, shard sizes differing by one at most', () => {
  for (const [cells, count] of [
    [22, 4],
    [7, 7],
    [5, 1],
    [100, 9],
  ]) {
    const shards = split(count, (index) => roundRobin(cells, { index, count }));
    assert.deepEqual(
      shards.flat().sort((a, b) => a - b),
      Array.from({ length: cells }, (_, j) => j),
    );
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${cells}/${count}: ${sizes}`);
  }
});

test('by work: costliest cells first to the least loaded shard, the same split in every shard', () => {
  const work = [100, 10, 60, 40, 0, 30, 20];
  const shards = split(3, (index) => byWork(work, { index, count: 3 }));
  assert.deepEqual(shards, [[0], [2, 4, 6], [1, 3, 5]]);
  const loads = shards.map((cells) => cells.reduce((sum, j) => sum + work[j], 0));
  assert.deepEqual(loads, [100, 80, 80]);
});

test('--shard is I/N with I from 0 below N, and at most one shard per cell', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1/0', '-1/3', '1', 'a/b', '1/2/3'])
    assert.throws(() => parseShard(bad), ShardError, bad);
  assert.throws(
    () => roundRobin(3, { index: 0, count: 4 }),
    /4 shards of a grid of 3 cell\(s\): give at most 3/,
  );
});

test('a file that is not a part is refused with its path and the field', async () => {
  const file = tempPath('not-a-part.json');
  writeFileSync(file, JSON.stringify({ format: 'smartcache-part/1', kind: 'simulate', shard: { index: 0 } }));
  await assert.rejects(readPart(file), (err: ShardError) => {
    assert.equal(err.file, file);
    assert.equal(err.field, 'shard');
    return true;
  });
  writeFileSync(file, '{"results": []}');
  await assert.rejects(readPart(file), /not-a-part\.json: format: not a part file/);
});
