/**
 * The hint endpoint computes features one request at a time; the learned policies and the
 * trainers compute them over a whole trace. Both run the one feature state and must give a
 * model the same inputs, past any bound the state has.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeatureTimeError } from '../../src/learn/feature-state.js';
import { onlineFeatures } from '../../src/learn/online-features.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';
import { type HintRequest, RequestStats } from '../../src/serve/file-stats.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { requestAt, type Trace } from '../../src/trace/model.js';
import { hotFileTrace } from '../learn/helpers.js';

const width = FEATURE_NAMES.length;
const missing = FEATURE_NAMES.map(() => Number.NaN);

/** The row of a request that is then recorded, as /resolve does for a request it answers. */
function recorded(
  stats: RequestStats,
  features: readonly string[],
  fallback: readonly number[],
  request: HintRequest,
): Float32Array {
  const { row, record } = stats.prepare('m', features, fallback, request);
  record();
  return row;
}

function hint(stats: RequestStats, trace: Trace, i: number): Float32Array {
  const r = requestAt(trace, i);
  return recorded(stats, FEATURE_NAMES, missing, {
    lfn: String(r.key),
    time: r.time,
    size: r.size,
    user: r.user,
    dataset: r.dataset,
  });
}

function assertSameRow(row: Float32Array, expected: Float64Array, what: string): void {
  for (let f = 0; f < width; f++) {
    const same = Number.isNaN(expected[f]) ? Number.isNaN(row[f]) : row[f] === Math.fround(expected[f]);
    assert.ok(same, `${what}, ${FEATURE_NAMES[f]}: hint ${row[f]}, batch ${expected[f]}`);
  }
}

function assertSameAsBatch(trace: Trace, capacity: number): void {
  const batch = onlineFeatures(trace);
  const stats = new RequestStats(capacity);
  for (let i = 0; i < trace.length; i++) {
    assertSameRow(hint(stats, trace, i), batch.values.subarray(i * width, (i + 1) * width), `request ${i}`);
  }
}

test('streaming hint features equal the batch features, request by request', () => {
  assertSameAsBatch(generateWorkload({ requests: 4000, seed: 11, days: 9, users: 15, sites: 3 }), 1_000_000);
});

test('on a file hotter than any cap (4800 requests a week, 1500 users) the hint features still equal the batch', () => {
  assertSameAsBatch(hotFileTrace(), 1000);
});

test('a forgotten file starts afresh and its id serves the next file cleanly', () => {
  const stats = new RequestStats(1);
  const first = (lfn: string, time: number) =>
    recorded(stats, ['count_ever', 'since_last', 'count_1d'], [-1, -1, -1], { lfn, time });
  assert.deepEqual([...first('/a', 10)], [0, -1, 0]);
  assert.deepEqual([...first('/a', 20)], [1, 10, 1]);
  assert.deepEqual([...first('/b', 30)], [0, -1, 0], '/b takes the id /a had, with nothing of /a');
  assert.deepEqual([...first('/a', 40)], [0, -1, 0], '/a was forgotten');
  assert.equal(stats.trackedFiles, 1);
});

test('a request earlier than its file or dataset last is refused and changes nothing', () => {
  const stats = new RequestStats(10);
  const at = (lfn: string, time: number, dataset = 'D') =>
    recorded(stats, ['count_ever', 'dataset_count_1d'], [0, 0], { lfn, time, dataset });
  at('/a', 100);
  assert.throws(() => at('/a', 50), FeatureTimeError);
  assert.throws(() => at('/new', 50), /earlier than 100, the last request of its dataset/);
  assert.equal(stats.trackedFiles, 1, 'the refused new file was not tracked');
  assert.deepEqual([...at('/a', 200)], [1, 1]);
});

test('a request prepared and not recorded leaves no trace: not in its file, dataset, users or the LRU', () => {
  const features = ['count_ever', 'count_1h', 'since_last', 'dataset_count_1d', 'distinct_users'];
  const fallback = features.map(() => -1);
  const replay = (extra?: HintRequest, expected?: number[]) => {
    const stats = new RequestStats(2);
    recorded(stats, features, fallback, { lfn: '/a', time: 100, dataset: 'D', user: 'u1' });
    recorded(stats, features, fallback, { lfn: '/b', time: 150, dataset: 'D', user: 'u1' });
    if (extra) {
      const prepared = stats.prepare('m', features, fallback, extra);
      assert.deepEqual([...prepared.row], expected, 'the prepared row sees the history');
    }
    return [
      [...recorded(stats, features, fallback, { lfn: '/a', time: 300, dataset: 'D', user: 'u3' })],
      [...recorded(stats, features, fallback, { lfn: '/b', time: 400, dataset: 'E', user: 'u2' })],
      stats.trackedFiles,
    ];
  };
  const unprepared = replay();
  assert.deepEqual(replay({ lfn: '/a', time: 200, dataset: 'D', user: 'u2' }, [1, 1, 100, 2, 2]), unprepared);
  assert.deepEqual(replay({ lfn: '/c', time: 200, dataset: 'F', user: 'u9' }, [0, 0, -1, 0, 1]), unprepared);
});
