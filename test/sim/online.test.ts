import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../src/sim/engine.js';
import { OnlineCache, OnlineCacheError } from '../../src/sim/online.js';
import { classicPolicyNames, policySpec } from '../../src/sim/policies/index.js';
import { PolicyNeedsTraceError } from '../../src/sim/policy.js';
import { generateWorkload } from '../../src/trace/generate.js';
import type { Trace } from '../../src/trace/model.js';

const ONLINE_POLICIES = classicPolicyNames().filter(
  (name) => !policySpec(name).offline && !policySpec(name).unbounded,
);
/** policies that keep no state about objects that are not cached: reusing ids is invisible to them */
const STATELESS_WHEN_EVICTED = ONLINE_POLICIES.filter(
  (name) => !['arc', '2q', 's3fifo', 'wtinylfu', 'lirs'].includes(name) && !name.startsWith('wlru'),
);

const trace = generateWorkload({ requests: 6000, seed: 7, days: 3 });
const uniqueBytes = uniqueObjectBytes(trace);

function uniqueObjectBytes(t: Trace): number {
  const seen = new Float64Array(t.objectCount);
  for (let i = 0; i < t.length; i++) seen[t.obj[i]] = t.size[i];
  return seen.reduce((a, b) => a + b, 0);
}

function mostThatFit(t: Trace, capacity: number): number {
  const sizes = new Float64Array(t.objectCount);
  for (let i = 0; i < t.length; i++) sizes[t.obj[i]] = t.size[i];
  sizes.sort();
  let count = 0;
  for (let total = 0; count < sizes.length && total + sizes[count] <= capacity; count++)
    total += sizes[count];
  return count;
}

/** Replays `t` through an OnlineCache; returns one byte per request, 1 for a hit, and checks the cache's own bookkeeping. */
function replayOnline(t: Trace, cache: OnlineCache): Uint8Array {
  const hits = new Uint8Array(t.length);
  const resident = new Map<string, number>();
  for (let i = 0; i < t.length; i++) {
    const key = String(t.keys.key(t.obj[i]));
    const d = cache.request(key, t.size[i], t.time[i]);
    if (d.outcome === 'hit') {
      assert.ok(resident.has(key), `request ${i}: a hit on ${key}, which is not cached`);
      hits[i] = 1;
    }
    // the low watermark may take the file just admitted
    if (d.outcome === 'admit') resident.set(key, t.size[i]);
    for (const victim of d.evicted) {
      assert.ok(resident.delete(victim), `request ${i}: evicted ${victim}, which is not cached`);
    }
  }
  let bytes = 0;
  for (const size of resident.values()) bytes += size;
  assert.equal(cache.residents, resident.size);
  assert.equal(cache.occupied, bytes);
  return hits;
}

function simulatedHits(t: Trace, name: string, capacity: number): Uint8Array {
  const hitLog = new Uint8Array(t.length);
  simulate(t, policySpec(name), { capacity, hitLog, watermarks: { high: 0.95, low: 0.8 } });
  return hitLog;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  return a.findIndex((value, i) => value !== b[i]);
}

for (const name of ONLINE_POLICIES) {
  test(`${name}: an OnlineCache makes the simulator's decisions, request for request`, () => {
    for (const share of [0.02, 0.1]) {
      const capacity = Math.round(uniqueBytes * share);
      const online = new OnlineCache(policySpec(name), {
        capacity,
        maxObjects: trace.objectCount,
        watermarks: { high: 0.95, low: 0.8 },
      });
      const hits = replayOnline(trace, online);
      const expected = simulatedHits(trace, name, capacity);
      assert.equal(firstDifference(hits, expected), -1, `${name} at ${share * 100} %`);
      if (name !== 'nocache') assert.ok(hits.includes(1), `${name} at ${share * 100} % hits at least once`);
    }
  });
}

test('reusing the ids of forgotten objects leaves the decisions of policies without ghosts unchanged', () => {
  const capacity = Math.round(uniqueBytes * 0.02);
  // enough ids for the most objects that fit at once (the smallest ones), fewer than the trace's objects
  const maxObjects = mostThatFit(trace, capacity) + 16;
  assert.ok(maxObjects < trace.objectCount / 2, `${maxObjects} ids for ${trace.objectCount} objects`);
  for (const name of STATELESS_WHEN_EVICTED) {
    const online = new OnlineCache(policySpec(name), {
      capacity,
      maxObjects,
      watermarks: { high: 0.95, low: 0.8 },
    });
    const hits = replayOnline(trace, online);
    assert.equal(firstDifference(hits, simulatedHits(trace, name, capacity)), -1, name);
  }
});

test('policies with ghosts forget them when their ids are reused, and stay consistent', () => {
  const capacity = Math.round(uniqueBytes * 0.05);
  for (const name of ONLINE_POLICIES.filter((n) => !STATELESS_WHEN_EVICTED.includes(n))) {
    for (const maxObjects of [8, 200]) {
      const online = new OnlineCache(policySpec(name), { capacity, maxObjects });
      replayOnline(trace, online);
      assert.ok(
        online.residents <= maxObjects,
        `${name}: ${online.residents} files resident in ${maxObjects} ids`,
      );
    }
  }
});

test('maxObjects caps the files resident at once: the policy evicts to free an id', () => {
  const online = new OnlineCache(policySpec('lru'), { capacity: 1000, maxObjects: 2 });
  assert.equal(online.request('a', 1, 0).outcome, 'admit');
  assert.equal(online.request('b', 1, 1).outcome, 'admit');
  const third = online.request('c', 1, 2);
  assert.equal(third.outcome, 'admit');
  assert.deepEqual(third.evicted, ['a']);
  assert.equal(online.residents, 2);
  assert.equal(online.request('b', 1, 3).outcome, 'hit');
});

test('restore brings files back as resident, trim evicts what no longer fits, remove drops one', () => {
  const online = new OnlineCache(policySpec('lru'), { capacity: 25, maxObjects: 10 });
  for (const [i, key] of ['old', 'mid', 'new'].entries()) assert.deepEqual(online.restore(key, 10, i), []);
  assert.equal(online.occupied, 30);
  assert.deepEqual(online.trim(), ['old']);
  assert.equal(online.occupied, 20);
  assert.equal(online.request('mid', 10, 5).outcome, 'hit');
  online.remove('mid');
  assert.equal(online.isResident('mid'), false);
  assert.equal(online.occupied, 10);
  assert.equal(online.request('mid', 10, 6).outcome, 'admit');
  assert.throws(() => online.restore('new', 10, 7), OnlineCacheError);
});

test('an OnlineCache refuses what cannot decide online, and bad requests', () => {
  assert.throws(
    () => new OnlineCache(policySpec('belady'), { capacity: 10, maxObjects: 4 }),
    /reads the future/,
  );
  assert.throws(
    () => new OnlineCache(policySpec('infinite'), { capacity: 10, maxObjects: 4 }),
    /never evicts/,
  );
  assert.throws(() => new OnlineCache(policySpec('lru'), { capacity: 10, maxObjects: 0 }), /maxObjects/);
  const online = new OnlineCache(policySpec('lru'), { capacity: 10, maxObjects: 4 });
  assert.throws(() => online.request('', 1, 0), /non-empty key/);
  assert.throws(() => online.request('a', 1.5, 0), /whole number of bytes/);
  assert.throws(() => online.request('a', 1, Number.NaN), /finite/);
});

test('a policy scored over the whole trace says it runs only in the simulator', async () => {
  await import('../../src/learn/policies/index.js');
  assert.throws(
    () =>
      new OnlineCache(policySpec('learned-admit'), { capacity: 10, maxObjects: 4, params: { scores: 'x' } }),
    PolicyNeedsTraceError,
  );
});

test('an id reused for a new key carries none of the old key ghost state', () => {
  // small FIFO of 10 bytes: a new file of 10 bytes is refused, a ghost hit of 10 bytes is admitted
  const online = new OnlineCache(policySpec('s3fifo'), {
    capacity: 100,
    maxObjects: 2,
    params: { 'fifo-size-ratio': '0.1' },
  });
  online.request('a', 5, 0);
  online.request('b', 5, 1);
  // no id is free: 'a' is evicted into the ghost, then forgotten, and 'c' takes its id
  const c = online.request('c', 10, 2);
  assert.deepEqual(c.evicted, ['a']);
  assert.equal(c.outcome, 'bypass');
});
