import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { NumericKeyInterner } from '../../src/trace/keys.js';

// below 65536 keys the check builds the lookup table, from there on it sorts
for (const count of [5000, 70_000]) {
  test(`keys appended unchecked: the first repeated one of ${count} is found, high words included`, () => {
    const keys = new NumericKeyInterner();
    const rng = new Random(3);
    const words: [number, number][] = [];
    for (let i = 0; i < count; i++) words.push([rng.int(3), rng.uint32()]);
    // the same low word under another high word is another key
    words.push([words[10][0] + 1, words[10][1]]);
    for (const [hi, lo] of words) keys.appendUnchecked(hi, lo);
    assert.equal(keys.firstRepeatedKey(), -1);
    keys.appendUnchecked(...words[4000]);
    keys.appendUnchecked(...words[7]);
    assert.equal(keys.firstRepeatedKey(), words.length, 'the earlier of the two repeats');
    assert.equal(keys.internWords(...words[4000]), 4000, 'interning finds the first of a repeated key');
  });
}

test('interning after keys were appended unchecked finds them', () => {
  const keys = new NumericKeyInterner(4);
  for (let lo = 0; lo < 3000; lo++) keys.appendUnchecked(0, lo * 7);
  assert.equal(keys.internWords(0, 21), 3);
  assert.equal(keys.internWords(0, 1), 3000);
  assert.equal(keys.internWords(0, 2999 * 7), 2999);
});
