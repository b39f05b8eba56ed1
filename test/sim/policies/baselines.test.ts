import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys, replay } from './replay.js';

test('nocache misses every request and writes nothing', () => {
  const { pattern, result } = replay('nocache', [...keys(1, 1, 2, 1), [9, 100]], 1000);
  assert.equal(pattern, 'MMMMM');
  assert.equal(result.bytesWritten, 0);
});

test('infinite misses only first requests, whatever the capacity given', () => {
  const { pattern, result } = replay('infinite', [...keys(1, 2, 1, 3, 2), [9, 1e12], [9, 1e12]], 0);
  assert.equal(pattern, 'MMHMHMH');
  assert.equal(result.evictions, 0);
});
