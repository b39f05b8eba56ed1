import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { FeatureState, FeatureTimeError } from '../../src/learn/feature-state.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';

const width = FEATURE_NAMES.length;

test('keys that come and go (forgotten, ids reused, the pool repacked) leave the others exact', () => {
  const rng = new Random(3);
  const withNoise = new FeatureState({ users: true, datasets: true });
  const alone = new FeatureState({ users: true, datasets: true });
  const a = new Float64Array(width);
  const b = new Float64Array(width);
  // 20 kept files (ids 0..19) and noise files (ids 20..29) forgotten after a burst each
  for (let i = 0; i < 60_000; i++) {
    const time = i * 30;
    if (rng.chance(0.5)) {
      const noise = 20 + rng.int(10);
      for (let k = 0; k < 1 + rng.int(40); k++) withNoise.advance(noise, time, 10, 1 + rng.int(5), 0, a, 0);
      withNoise.forgetFile(noise);
    }
    const file = rng.int(20);
    const user = rng.int(50);
    withNoise.advance(file, time, 100 + file, user, 1 + (file % 3), a, 0);
    alone.advance(file, time, 100 + file, user, 1 + (file % 3), b, 0);
    assert.deepEqual(a, b, `request ${i}`);
  }
});

test('a time before the file or dataset last one is refused and changes nothing', () => {
  const state = new FeatureState({ users: false, datasets: true });
  const out = new Float64Array(width);
  state.advance(0, 100, 1, 0, 1, out, 0);
  assert.throws(() => state.advance(0, 99, 1, 0, 1, out, 0), FeatureTimeError);
  assert.throws(
    () => state.advance(1, 99, 1, 0, 1, out, 0),
    /earlier than 100, the last request of its dataset/,
  );
  assert.ok(Number.isNaN(state.lastFileTime(1)), 'the refused file was not recorded');
  state.advance(0, 200, 1, 0, 1, out, 0);
  assert.equal(out[FEATURE_NAMES.indexOf('count_ever')], 1);
  assert.ok(Number.isNaN(out[FEATURE_NAMES.indexOf('distinct_users')]), 'no users: NULL');
});
