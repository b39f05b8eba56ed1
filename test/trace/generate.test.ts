import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { DEFAULT_START, generateWorkload } from '../../src/trace/generate.js';
import { inspectTrace } from '../../src/trace/inspect.js';
import type { Trace } from '../../src/trace/model.js';

const DAY = 86_400;
const trace = generateWorkload({ preset: 'datalake', requests: 200_000, seed: 42 });
const stats = inspectTrace(trace);

function columnsEqual(a: Trace, b: Trace): boolean {
  const bytes = (t: Trace) =>
    [t.time, t.obj, t.size, t.site?.codes, t.user?.codes, t.dataset?.codes].map((c) =>
      Buffer.from(c?.buffer ?? new ArrayBuffer(0)),
    );
  const [x, y] = [bytes(a), bytes(b)];
  return x.every((col, i) => col.equals(y[i]));
}

test('exactly the requested number of requests, sorted, within the span from the start epoch', () => {
  assert.equal(trace.length, 200_000);
  for (let i = 1; i < trace.length; i++) assert.ok(trace.time[i - 1] <= trace.time[i], `time order at ${i}`);
  assert.ok(trace.time[0] >= DEFAULT_START && trace.time[0] < DEFAULT_START + DAY);
  assert.ok(trace.time[trace.length - 1] < DEFAULT_START + 30 * DAY);
  assert.ok(trace.time[trace.length - 1] > DEFAULT_START + 29 * DAY, 'requests reach the end of the span');
  assert.ok(Number.isInteger(trace.time[12345]));
});

test('objects are CMS logical file names with sites, users and datasets', () => {
  const lfn =
    /^\/store\/(mc|data)\/[\w-]+\/[\w-]+\/[A-Z]+\/[\w-]+\/\d+\/[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\.root$/;
  for (const obj of [0, 1, trace.objectCount - 1]) assert.match(String(trace.keys.key(obj)), lfn);
  const site = trace.site?.values[trace.site.codes[0]];
  assert.match(site ?? '', /^T[12]_[A-Z]{2}_\w+$/);
  assert.match(trace.user?.values[trace.user.codes[0]] ?? '', /^user\d+$/);
  assert.match(trace.dataset?.values[trace.dataset.codes[0]] ?? '', /^\/[\w-]+\/[\w-]+\/[A-Z]+$/);
  const keys = new Set(Array.from({ length: trace.objectCount }, (_, o) => trace.keys.key(o)));
  assert.equal(keys.size, trace.objectCount, 'one object per file name');
});

test('sizes are mostly 1-4 GB with a heavy tail', () => {
  const { p50, p90, p99, max } = stats.objectSizes;
  assert.ok(p50 > 1e9 && p50 < 4e9, `p50 ${p50}`);
  assert.ok(p99 > 2 * p50, `p99 ${p99}`);
  assert.ok(max <= 20e9 && max >= p99);
  assert.ok(p90 >= p50);
});

test('reuse and popularity look like a data lake', () => {
  assert.ok(stats.oneHitWonderRatio > 0.15 && stats.oneHitWonderRatio < 0.6, `${stats.oneHitWonderRatio}`);
  const reuse = stats.requests / stats.uniqueObjects;
  assert.ok(reuse > 2 && reuse < 20, `requests per object ${reuse}`);
  assert.ok(stats.zipf.alpha > 0.5 && stats.zipf.alpha < 1.5, `alpha ${stats.zipf.alpha}`);
  assert.ok(stats.zipf.r2 > 0.8, `r2 ${stats.zipf.r2}`);
  assert.ok(stats.top.user && stats.top.user[0].requests < 0.25 * stats.requests, 'no user dominates');
});

test('LRU byte hit ratio rises with cache size and stays below the infinite cache', () => {
  const infinite = 1 - stats.uniqueBytes / stats.totalBytes;
  const ratios = [0.01, 0.05, 0.2].map(
    (share) => simulate(trace, policySpec('lru'), { capacity: share * stats.uniqueBytes }).byteHitRatio,
  );
  assert.ok(ratios[0] < ratios[1] && ratios[1] < ratios[2], `${ratios}`);
  assert.ok(ratios[2] < infinite - 0.05, `lru ${ratios[2]} vs infinite ${infinite}`);
  assert.ok(ratios[0] > 0.01);
});

test('the same seed gives identical output, another seed another', () => {
  const again = generateWorkload({ preset: 'datalake', requests: 200_000, seed: 42 });
  assert.ok(columnsEqual(trace, again));
  assert.equal(again.keys.key(777), trace.keys.key(777));
  assert.deepEqual(again.dataset?.values, trace.dataset?.values);
  const other = generateWorkload({ preset: 'datalake', requests: 200_000, seed: 43 });
  assert.ok(!columnsEqual(trace, other));
  assert.notEqual(other.keys.key(0), trace.keys.key(0));
});

test('the campaigns preset is the datalake model with its drift defaults, which explicit options override', () => {
  const drift = generateWorkload({ preset: 'campaigns', requests: 20_000, seed: 5 });
  const same = generateWorkload({ requests: 20_000, seed: 5, newDatasetFraction: 0.85, affinity: 0.25 });
  assert.ok(columnsEqual(drift, same));
  assert.ok(!columnsEqual(drift, generateWorkload({ requests: 20_000, seed: 5 })));
  const overridden = generateWorkload({ preset: 'campaigns', requests: 20_000, seed: 5, affinity: 0.5 });
  const plain = generateWorkload({ requests: 20_000, seed: 5, newDatasetFraction: 0.85, affinity: 0.5 });
  assert.ok(columnsEqual(overridden, plain));
});

test('options shape the workload', () => {
  const small = generateWorkload({ requests: 5000, seed: 3, days: 2, sites: 2, users: 5, start: 1e9 });
  assert.ok(small.time[0] >= 1e9 && small.time[small.length - 1] < 1e9 + 2 * DAY);
  assert.deepEqual(small.site?.values.slice(1).sort(), ['T1_US_FNAL', 'T2_CH_CERN']);
  assert.ok((small.user?.values.length ?? 0) <= 6);
  const custom = generateWorkload({ requests: 1000, sites: [{ name: 'T2_IT_Pisa', weight: 1 }] });
  assert.deepEqual(custom.site?.values.slice(1), ['T2_IT_Pisa']);
});

test('bad options are RangeErrors naming the option and value', () => {
  const bad: [object, RegExp][] = [
    [{ requests: 0 }, /requests .* got 0/],
    [{ requests: 10, days: -1 }, /days .* got -1/],
    [{ requests: 10, sites: 99 }, /sites .* got 99/],
    [{ requests: 10, affinity: 1.5 }, /affinity .* got 1.5/],
    [{ requests: 10, minFilesPerDataset: 50, maxFilesPerDataset: 20 }, /maxFilesPerDataset .* got 20/],
    [{ requests: 10, preset: 'web' }, /preset .* got web/],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => generateWorkload(options as Parameters<typeof generateWorkload>[0]),
      (err: Error) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});
