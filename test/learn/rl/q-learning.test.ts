import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../../src/common/random.js';
import {
  DELETE_ALL,
  DELETE_HALF,
  DELETE_ONE,
  DELETE_QUARTER,
  deleteCount,
  NOT_DELETE,
} from '../../../src/learn/rl/actions.js';
import { EPSILON_MIN, EpsilonSchedule } from '../../../src/learn/rl/epsilon.js';
import { QTable } from '../../../src/learn/rl/q-table.js';

test('epsilon starts at 1 and decays as 0.1 + 0.9 exp(-decay n), never below 0.1', () => {
  const e = new EpsilonSchedule(0.5);
  assert.equal(e.value, 1);
  e.step();
  assert.equal(e.value, 0.1 + 0.9 * Math.exp(-0.5));
  e.step();
  assert.equal(e.value, 0.1 + 0.9 * Math.exp(-1));
  for (let i = 0; i < 200; i++) e.step();
  assert.ok(e.value >= EPSILON_MIN && e.value < EPSILON_MIN + 1e-12);
  const greedy = new EpsilonSchedule(0.5, 0);
  greedy.step();
  assert.equal(greedy.value, 0, 'a greedy schedule stays greedy');
});

test('Q update, hand-checked two steps (alpha 0.9, gamma 0.5)', () => {
  const q = new QTable(2, 2, new Random(1));
  // step 1: Q(0,1) = 0 + 0.9 * (1 + 0.5 * max Q(1) - 0) = 0.9
  q.update(0, 1, 1, 1);
  assert.equal(q.get(0, 1), 0.9);
  // step 2: from state 1, action 0, reward -1, next state 0 whose max is 0.9:
  // Q(1,0) = 0 + 0.9 * (-1 + 0.5 * 0.9 - 0) = -0.495
  q.update(1, 0, -1, 0);
  assert.ok(Math.abs(q.get(1, 0) - -0.495) < 1e-12);
  assert.equal(q.greedy(0), 1, 'first maximum');
  assert.equal(q.greedy(1), 1, '0 beats -0.495');
});

test('argmax of a state whose actions are all equal is random, reproducibly', () => {
  const picks = (seed: number) => {
    const q = new QTable(1, 5, new Random(seed));
    return Array.from({ length: 20 }, () => q.greedy(0));
  };
  assert.deepEqual(picks(3), picks(3));
  assert.ok(new Set(picks(3)).size > 1);
});

test('deletion counts: all, half and a quarter rounded down but at least one, one, none', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 7, 8].map((n) => deleteCount(DELETE_HALF, n)),
    [1, 1, 1, 2, 3, 4],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 7, 8].map((n) => deleteCount(DELETE_QUARTER, n)),
    [1, 1, 1, 1, 1, 2],
  );
  assert.equal(deleteCount(DELETE_ALL, 9), 9);
  assert.equal(deleteCount(DELETE_ONE, 9), 1);
  assert.equal(deleteCount(NOT_DELETE, 9), 0);
});
