import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulativeWeights, pickWeighted, Random } from '../../src/common/random.js';

const draw = (seed: number) =>
  Array.from(
    { length: 5 },
    (
      (rng) => () =>
        rng.uint32()
    )(new Random(seed)),
  );

test('a seed repeats its stream; nearby and large seeds differ', () => {
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
  assert.notDeepEqual(draw(2 ** 40), draw(2 ** 40 + 2 ** 32));
});

test('floats are uniform in [0, 1) and weighted picks follow the weights', () => {
  const rng = new Random(9);
  const cdf = cumulativeWeights([1, 0, 3]);
  const picks = [0, 0, 0];
  let sum = 0;
  for (let i = 0; i < 40_000; i++) {
    const u = rng.float();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    picks[pickWeighted(cdf, rng)]++;
  }
  assert.ok(Math.abs(sum / 40_000 - 0.5) < 0.01);
  assert.equal(picks[1], 0);
  assert.ok(Math.abs(picks[2] / picks[0] - 3) < 0.2);
});

test('bounded Pareto stays within its bounds', () => {
  const rng = new Random(3);
  for (let i = 0; i < 10_000; i++) {
    const x = rng.boundedPareto(10, 0.7, 2000);
    assert.ok(x >= 10 && x <= 2000);
  }
});
