import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay, type Step } from './replay.js';

test('random evicts the only resident when one object fits', () => {
  const { pattern, result } = replay('random', [...keys(1, 2, 1), [9, 20]], 10);
  assert.equal(pattern, 'MMMM');
  assert.equal(result.evictions, 2);
});

test('random is deterministic for a seed and differs across seeds', () => {
  const steps: Step[] = Array.from({ length: 2000 }, (_, i) => [(i * 7919) % 97]);
  const run = (seed: number) => replay('random', steps, 200, { seed }).pattern;
  assert.equal(run(1), run(1));
  assert.notEqual(run(1), run(2));
});
