import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OnlineCache } from '../../../src/sim/online.js';
import { policySpec } from '../../../src/sim/policies/index.js';
import { replay, type Step } from './replay.js';

/** capacity 50 B: HIR bytes (queue Q) 20, LIR bytes 30; objects of 10 B unless given */
const PARAMS = { 'hir-size-ratio': '0.4' };

/** Replays keys through an OnlineCache and lists the keys each request evicted. */
function victims(keys: readonly Step[], params: Record<string, string>, maxObjects = 32): string[][] {
  const online = new OnlineCache(policySpec('lirs'), { capacity: 50, maxObjects, params });
  return keys.map(([key, size = 10], time) => [...online.request(String(key), size, time).evicted]);
}

test('lirs keeps LIR objects, evicts from the HIR queue and promotes ghosts in the stack', () => {
  // 1 2 3 fill the LIR bytes; 4 5 enter as resident HIR (S and Q). 6: Q full -> its victim 4
  // is evicted and stays in S as a ghost. 4: a ghost -> S's bottom LIR 1 is demoted into Q,
  // which evicts Q's victim 5 (a ghost now); 4 enters as LIR. 1: a hit in Q only -> S's
  // bottom LIR 2 is demoted into Q, which evicts 6; 1 goes on S as HIR. 1 again: in S -> LIR.
  // 6: a ghost -> LIR 3 demoted into Q (room there); pruning drops ghost 5 from S; 6 is LIR.
  // 5: seen in neither now -> Q's victim 2 is evicted, 5 enters as HIR. 7 (20 B): both sets
  // full -> Q's victims 3 and 5 are evicted. 8 (21 B) is larger than Q: not admitted.
  const steps: Step[] = [[1], [2], [3], [4], [5], [6], [4], [1], [1], [6], [5], [7, 20], [8, 21]];
  assert.deepEqual(victims(steps, PARAMS), [
    [],
    [],
    [],
    [],
    [],
    ['4'],
    ['5'],
    ['6'],
    [],
    [],
    ['2'],
    ['3', '5'],
    [],
  ]);
  const { pattern, result } = replay('lirs', steps, 50, { params: PARAMS });
  assert.equal(pattern, 'MMMMMMMHHMMMM');
  assert.equal(result.evictions, 6);
  assert.equal(result.bytesWritten, 110);
});

test('lirs drops the oldest ghosts once the stack holds more than stack-size-ratio x the bytes', () => {
  // As above up to 4; with a stack of at most 50 B the ghost of 4 leaves S after request 6,
  // so 4 returns as a new HIR object, 1 stays LIR and its hit evicts nothing.
  const steps: Step[] = [[1], [2], [3], [4], [5], [6], [4], [1]];
  assert.deepEqual(victims(steps, PARAMS).slice(6), [['5'], ['6']]);
  assert.deepEqual(victims(steps, { ...PARAMS, 'stack-size-ratio': '1' }).slice(6), [['5'], []]);
});

test('lirs forgets the ghost of an id reused for another key', () => {
  // 6 ids: after 1..6 the ghost 4 holds the only non-resident id, which 7 takes. As a new
  // object 7 enters as HIR (evicting Q's victim 5) and 1 stays LIR: its hit evicts nothing.
  // Had 7 inherited the ghost, it would enter as LIR, demoting 1, whose hit would evict 6.
  const steps: Step[] = [[1], [2], [3], [4], [5], [6], [7], [1]];
  assert.deepEqual(victims(steps, PARAMS, 6).slice(5), [['4'], ['5'], []]);
});
