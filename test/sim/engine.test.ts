import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import type { PolicySpec } from '../../src/sim/policy.js';
import { traceFromRequests } from '../../src/trace/builder.js';

const lru = policySpec('lru');
const sequence = (keys: number[], size = 10, step = 1) =>
  traceFromRequests(keys.map((key, i) => ({ time: i * step, key, size })));

test('LRU on a hand-checked sequence', () => {
  // capacity 3 objects: 1 2 3 miss | 1 hit | 4 evicts 2 | 1 hit | 2 miss, evicts 3
  const r = simulate(sequence([1, 2, 3, 1, 4, 1, 2]), lru, { capacity: 30 });
  assert.equal(r.hits, 2);
  assert.equal(r.requests, 7);
  assert.equal(r.bytesRequested, 70);
  assert.equal(r.bytesHit, 20);
  assert.equal(r.wanBytes, 50);
  assert.equal(r.bytesWritten, 50);
  assert.equal(r.evictions, 2);
  assert.equal(r.bytesEvicted, 20);
  assert.equal(r.hitRatio, 2 / 7);
  assert.equal(r.missRatio, 5 / 7);
  assert.equal(r.throughputScore, (20 - 50) / 30);
  assert.equal(r.costScore, (50 + 20) / 30);
});

test('an object larger than the cache is served remotely and never admitted', () => {
  const trace = traceFromRequests([
    { time: 0, key: 1, size: 10 },
    { time: 1, key: 2, size: 50 },
    { time: 2, key: 2, size: 50 },
    { time: 3, key: 1, size: 10 },
  ]);
  const r = simulate(trace, lru, { capacity: 30 });
  assert.equal(r.hits, 1);
  assert.equal(r.bytesWritten, 10);
  assert.equal(r.wanBytes, 110);
  assert.equal(r.evictions, 0);
});

test('watermarks: passing the high mark evicts down to the low mark', () => {
  // 10 objects of 10 B in 100 B; high 0.9 is passed by the 10th insert (100 > 90),
  // eviction then runs to <= 50 B: 5 least recent objects go.
  const r = simulate(sequence([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 10]), lru, {
    capacity: 100,
    watermarks: { high: 0.9, low: 0.5 },
  });
  assert.equal(r.evictions, 5);
  assert.equal(r.hits, 1, 'object 1 was evicted by the watermark round; 10 stays');
  assert.throws(
    () => simulate(sequence([1]), lru, { capacity: 1, watermarks: { high: 0.5, low: 0.6 } }),
    /low < high/,
  );
});

test('daily WAN budget redirects misses once spent and refills the next day', () => {
  // budget 25 B/day, objects of 10 B: day 0 admits 1 and 2, redirects 3;
  // day 1 hits 1 and 2 and, with a fresh budget, admits 3.
  const trace = traceFromRequests(
    [1, 2, 3, 1, 2, 3].map((key, i) => ({ time: i < 3 ? i : DAY + i, key, size: 10 })),
  );
  const r = simulate(trace, lru, { capacity: 1000, dailyBudget: 25 });
  assert.equal(r.redirected, 1);
  assert.equal(r.hits, 2);
  assert.equal(r.bytesWritten, 30);
  assert.equal(r.wanBytes, 40);
});

test('per-window metrics add up to the totals', () => {
  const trace = sequence([1, 2, 1, 3, 1, 2, 4, 1], 10, DAY / 3);
  const r = simulate(trace, lru, { capacity: 20 });
  assert.equal(r.windows.length, 3);
  assert.deepEqual(
    r.windows.map((w) => w.start),
    [0, DAY, 2 * DAY],
  );
  const sum = (k: 'requests' | 'hits' | 'bytesWritten' | 'bytesEvicted') =>
    r.windows.reduce((a, w) => a + w[k], 0);
  assert.equal(sum('requests'), r.requests);
  assert.equal(sum('hits'), r.hits);
  assert.equal(sum('bytesWritten'), r.bytesWritten);
  assert.equal(sum('bytesEvicted'), r.bytesEvicted);
  assert.equal(r.windows[0].hitRatio, 1 / 3);
});

test('partial reads: bytes served follow bytesRead while the cache stores whole objects', () => {
  const trace = traceFromRequests([
    { time: 0, key: 1, size: 100, bytesRead: 30 },
    { time: 1, key: 1, size: 100, bytesRead: 40 },
  ]);
  const r = simulate(trace, lru, { capacity: 1000 });
  assert.equal(r.bytesRequested, 70);
  assert.equal(r.bytesHit, 40);
  assert.equal(r.wanBytes, 30);
  assert.equal(r.bytesWritten, 100);
});

test('bad options are refused with the option named', () => {
  assert.throws(() => simulate(sequence([1]), lru, { capacity: -1 }), /cache size must be >= 0/);
  assert.throws(() => simulate(sequence([1]), lru, { capacity: 1, window: 0 }), /window must be > 0/);
});

test('the hit log marks exactly the requests that hit', () => {
  const hitLog = new Uint8Array(7);
  simulate(sequence([1, 2, 3, 1, 4, 1, 2]), lru, { capacity: 30, hitLog });
  assert.deepEqual([...hitLog], [0, 0, 0, 1, 0, 1, 0]);
  assert.throws(
    () => simulate(sequence([1, 2]), lru, { capacity: 1, hitLog: new Uint8Array(1) }),
    /hit log holds 1/,
  );
});

/** Test policy: FIFO order, and at housekeeping evicts everything when the request index is in `sweepAt`. */
function sweeper(sweepAt: Set<number>, seen: number[]): PolicySpec {
  return {
    name: 'sweeper',
    description: 'test: evicts all residents at chosen requests',
    create(ctx) {
      const resident: number[] = [];
      return {
        hit() {},
        insert(obj) {
          resident.push(obj);
        },
        evict() {
          const victim = resident.shift();
          if (victim === undefined) throw new Error('empty');
          return victim;
        },
        remove(obj) {
          resident.splice(resident.indexOf(obj), 1);
        },
        housekeeping(req) {
          seen.push(req);
          if (!sweepAt.has(req)) return;
          while (resident.length > 0) ctx.cache?.evict(resident.pop() as number);
        },
      };
    },
  };
}

test('housekeeping runs after every request and its evictions are booked like engine evictions', () => {
  const seen: number[] = [];
  // 1 2 miss, sweep after request 1 evicts both (20 B); 1 misses again; 1 hits
  const r = simulate(sequence([1, 2, 1, 1]), sweeper(new Set([1]), seen), { capacity: 100 });
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.equal(r.hits, 1);
  assert.equal(r.evictions, 2);
  assert.equal(r.bytesEvicted, 20);
  assert.equal(r.bytesWritten, 30);
  assert.equal(r.windows[0].occupancy, 10, 'occupancy follows the policy-driven evictions');
});

test('a policy evicting an object that is not cached is refused', () => {
  const bad: PolicySpec = {
    ...sweeper(new Set(), []),
    create(ctx) {
      return { ...sweeper(new Set(), []).create(ctx), housekeeping: () => ctx.cache?.evict(1) };
    },
  };
  const tooBig = traceFromRequests([
    { time: 0, key: 1, size: 10 },
    { time: 1, key: 2, size: 500 },
  ]);
  assert.throws(() => simulate(tooBig, bad, { capacity: 100 }), /evicted object 1, which is not cached/);
});
