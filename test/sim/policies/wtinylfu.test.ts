import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnlineCache } from '../../../src/sim/online.js';
import { policySpec } from '../../../src/sim/policies/index.js';
import { PolicyNeedsCacheError } from '../../../src/sim/policy.js';
import { keys, replay } from './replay.js';

/** capacity 40 B, window 10 B, main 30 B: probation 15 B, protected 15 B; objects of 10 B */
const PARAMS = { 'window-size': '0.25', 'probation-size-ratio': '0.5' };
const IDS = [1, 2, 3, 4, 5, 1, 4, 6, 2, 5, 4, 1, 5];

test('wtinylfu moves window objects to main while it has room, then admits by frequency', () => {
  // Counts: insertion +1, hit in main +1, window object considered for main +1.
  // 1 2 3 4 fill the window (it drains only when evicting). 5: 1 -> probation, 2 -> protected
  // (probation full), 3 -> probation (main still has room); 4 (count 1) vs main's victim 1
  // (count 2): 4 is evicted. 1 hits in probation -> protected; protected's tail 2 is demoted,
  // probation overflows: 3 is evicted during the hit. 4 misses, enters the window.
  // 6: 5 -> probation (main has room); 4 (count 3) beats probation's tail 2 (count 2): 2 is
  // evicted, 4 -> probation; the window is empty: main's victim 5 is evicted.
  // 2 misses. 5: 6 -> probation; 2 (count 3) loses to probation's tail 4 (count 4): 2 is evicted.
  // 4 hits in probation -> protected, 1 demoted, probation overflows: 6 evicted. 1 hits in
  // probation -> protected, 4 demoted. 5 hits in the window.
  const victims: string[][] = [];
  const online = new OnlineCache(policySpec('wtinylfu'), { capacity: 40, maxObjects: 16, params: PARAMS });
  for (const [time, id] of IDS.entries()) victims.push([...online.request(String(id), 10, time).evicted]);
  assert.deepEqual(victims, [[], [], [], [], ['4'], ['3'], [], ['2', '5'], [], ['2'], ['6'], [], []]);

  const { pattern, result } = replay('wtinylfu', keys(...IDS), 40, { params: PARAMS });
  assert.equal(pattern, 'MMMMMHMMMMHHH');
  assert.equal(result.evictions, 6);
  assert.equal(result.bytesWritten, 90);
});

test('wtinylfu admits no object larger than its window or its probation segment', () => {
  // window 10 B, probation 15 B: 11 B is refused, 10 B admitted; with probation 7 B, 8 B is refused
  const { pattern, result } = replay(
    'wtinylfu',
    [
      [1, 11],
      [1, 11],
      [2, 10],
      [2, 10],
    ],
    40,
    { params: PARAMS },
  );
  assert.equal(pattern, 'MMMH');
  assert.equal(result.bytesWritten, 10);
  const narrow = replay('wtinylfu', [[1, 8]], 40, {
    params: { 'window-size': '0.25', 'probation-size-ratio': '0.25' },
  });
  assert.equal(narrow.result.bytesWritten, 0);
});

test('wtinylfu forgets the count of an id reused for another key', () => {
  // 4 ids, all taken by a b c d in the window. e needs an id: the policy evicts (a -> probation,
  // b -> protected, c -> probation; d, count 1, loses to probation's tail a, count 2) and d's id
  // goes to e, d's count 2 with it unless forgotten. f needs an id: e (count 1) loses to a and
  // is evicted; with d's count it would have 3 and win, and a would be evicted.
  const online = new OnlineCache(policySpec('wtinylfu'), { capacity: 40, maxObjects: 4, params: PARAMS });
  const victims = ['a', 'b', 'c', 'd', 'e', 'f'].map((key, time) => [
    ...online.request(key, 10, time).evicted,
  ]);
  assert.deepEqual(victims, [[], [], [], [], ['d'], ['e']]);
});

test('wtinylfu needs a host cache to book the evictions it makes inside its calls', () => {
  const spec = policySpec('wtinylfu');
  const request = { time: 0, size: 0, user: 0, dataset: 0, score: Number.NaN };
  const carries = { users: false, datasets: false };
  assert.throws(
    () => spec.create({ capacity: 10, objectCount: 4, request, carries, seed: 1, params: {} }),
    PolicyNeedsCacheError,
  );
});
