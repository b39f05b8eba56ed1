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

/** Wraps `spec` so that every victim the engine asks for is logged as [request, key]. */
function loggingVictims(spec: PolicySpec, victims: [number, string][]): PolicySpec {
  return {
    ...spec,
    create(ctx) {
      const policy = spec.create(ctx);
      const evict = policy.evict.bind(policy);
      policy.evict = (req) => {
        const victim = evict(req);
        victims.push([req, String(ctx.trace?.keys.key(victim))]);
        return victim;
      };
      return policy;
    },
  };
}

/** `'A30 B20'`: a request for A of 30 B, then B of 20 B; request i at `time(i)`. */
const lettered = (requests: string, time = (i: number) => i) =>
  traceFromRequests(
    requests.split(' ').map((request, i) => ({
      time: time(i),
      key: request[0],
      size: Number(request.slice(1)),
    })),
    true,
  );

test('watermarks: an insert that leaves occupancy above the high mark evicts down to the low mark', () => {
  // LRU, 100 B, high 0.8 (80 B), low 0.6 (60 B). LRU order is oldest first.
  //  0 A30 1 B20 2 C10  -> 60 B          [A B C]
  //  3 A hit                             [B C A]
  //  4 D30 -> 90 > 80: evict B (70), C (60 <= 60, stop at the low mark exactly)   [A D]
  //  5 B20 -> 80, not above the high mark: no round                               [A D B]
  //  6 C10 -> 90: evict A (60)                                                    [D B C]
  //  7 A30 -> 90 fits without eviction, then 90 > 80: evict D (60)                [B C A]
  //  8 B hit                                                                      [C A B]
  //  9 E45 -> 105 > 100: evict C to fit (95), then 95 > 80: evict A (65), B (45)  [E]
  // 10 C10 -> 55                                                                  [E C]
  // 11 E hit
  const trace = lettered('A30 B20 C10 A30 D30 B20 C10 A30 B20 E45 C10 E45');
  const victims: [number, string][] = [];
  const hitLog = new Uint8Array(trace.length);
  const r = simulate(trace, loggingVictims(lru, victims), {
    capacity: 100,
    watermarks: { high: 0.8, low: 0.6 },
    hitLog,
  });
  assert.deepEqual(victims, [
    [4, 'B'],
    [4, 'C'],
    [6, 'A'],
    [7, 'D'],
    [9, 'C'],
    [9, 'A'],
    [9, 'B'],
  ]);
  assert.deepEqual([...hitLog], [0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
  assert.equal(r.evictions, 7);
  assert.equal(r.bytesEvicted, 20 + 10 + 30 + 30 + 10 + 30 + 20);
  assert.equal(r.bytesWritten, 30 + 20 + 10 + 30 + 20 + 10 + 30 + 45 + 10);
  assert.equal(r.windows[0].occupancy, 55);

  // without watermarks eviction only makes room: D fits at 4, B C A hit at 5-7, E needs room at 9
  const plain: [number, string][] = [];
  simulate(trace, loggingVictims(lru, plain), { capacity: 100 });
  assert.deepEqual(plain, [
    [9, 'D'],
    [9, 'C'],
    [10, 'A'],
  ]);

  assert.throws(
    () => simulate(sequence([1]), lru, { capacity: 1, watermarks: { high: 0.5, low: 0.6 } }),
    /low < high/,
  );
});

test('daily WAN budget: a fill larger than what is left of the UTC day is redirected; midnight refills it', () => {
  // LRU, 100 B, budget 50 B a day. Day 0 ends 100 s after the first request, so the refill
  // comes at midnight, not 24 h after the first fill.
  // day 0:  0 G150 larger than the cache: not admitted, spends nothing, not redirected
  //         1 A20 (30 left)  2 B20 (10 left)  3 C20 redirected  4 D10 fits exactly (0 left)
  //         5 C20 redirected  6 A hit
  // day 1:  7 C20 (30 left)  8 E40 redirected  9 C hit  10 F30 (0 left)  11 E40 redirected  12 B hit
  const trace = lettered('G150 A20 B20 C20 D10 C20 A20 C20 E40 C20 F30 E40 B20', (i) =>
    i < 7 ? DAY - 100 + i : DAY + i,
  );
  const hitLog = new Uint8Array(trace.length);
  const r = simulate(trace, lru, { capacity: 100, dailyBudget: 50, hitLog });
  assert.deepEqual([...hitLog], [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  assert.equal(r.redirected, 4);
  assert.equal(r.bytesWritten, 20 + 20 + 10 + 20 + 30);
  assert.equal(r.evictions, 0);
  assert.equal(r.wanBytes, 150 + 20 + 20 + 20 + 10 + 20 + 20 + 40 + 30 + 40);
  assert.deepEqual(
    r.windows.map((w) => [w.start, w.requests, w.redirected, w.bytesWritten]),
    [
      [0, 7, 2, 50],
      [DAY, 6, 2, 50],
    ],
  );
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
