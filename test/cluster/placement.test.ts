import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterNode, keyHash, Placement } from '../../src/cluster/placement.js';

const node = (id: string, site: string, weight = 1): ClusterNode => ({
  id,
  site,
  weight,
  url: `http://127.0.0.1:1/${id}`,
  capacity: 1e12,
});

const FILES = Array.from({ length: 20_000 }, (_, i) => `/store/data/run${i % 97}/file${i}.root`);

function shares(placement: Placement, site: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of FILES) {
    const id = placement.route(site, ...keyHash(file)).node?.id ?? 'origin';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

test('files spread over a site in proportion to node weights (within 10 %)', () => {
  const placement = new Placement([node('a', 'A', 1), node('b', 'A', 2), node('c', 'A', 1)]);
  const counts = shares(placement, 'A');
  for (const [id, weight] of [
    ['a', 1],
    ['b', 2],
    ['c', 1],
  ] as const) {
    const expected = (FILES.length * weight) / 4;
    const got = counts.get(id) ?? 0;
    assert.ok(Math.abs(got - expected) / expected < 0.1, `${id}: ${got} files, expected about ${expected}`);
  }
});

test('a joining node takes only files from others, about 1/N of them; a leaving one gives back only its own', () => {
  const before = new Placement(['a', 'b', 'c', 'd'].map((id) => node(id, 'A')));
  const after = new Placement(['a', 'b', 'c', 'd', 'e'].map((id) => node(id, 'A')));
  let moved = 0;
  for (const file of FILES) {
    const [hi, lo] = keyHash(file);
    const was = before.route('A', hi, lo).node?.id;
    const now = after.route('A', hi, lo).node?.id;
    if (was !== now) {
      moved++;
      assert.equal(now, 'e', `${file} moved from ${was} to ${now}, not to the new node`);
    }
  }
  const share = moved / FILES.length;
  assert.ok(Math.abs(share - 1 / 5) < 0.02, `moved share ${share}, expected about 0.2`);
});

test('the same membership in any order gives the same answers; primary() is route().node', () => {
  const nodes = [node('a', 'A'), node('b', 'A', 3), node('c', 'B'), node('d', 'B')];
  const one = new Placement(nodes, { distances: { A: { B: 5 } } });
  const two = new Placement([...nodes].reverse(), { distances: { B: { A: 5 } } });
  for (const file of FILES.slice(0, 2000)) {
    const [hi, lo] = keyHash(file);
    for (const site of ['A', 'B', 'C']) {
      const r1 = one.route(site, hi, lo);
      const r2 = two.route(site, hi, lo);
      assert.deepEqual(
        [r1.node?.id, ...r1.alternatives.map((n) => n.id)],
        [r2.node?.id, ...r2.alternatives.map((n) => n.id)],
      );
      assert.equal(one.primary(site, hi, lo).node?.id, r1.node?.id);
      assert.equal(one.primary(site, hi, lo).level, r1.level);
    }
  }
});

test("firstChoices(k) is the first k of route's order, with its level, for every client site", () => {
  const nodes = [
    ...Array.from({ length: 8 }, (_, i) => node(`a${i}`, 'A', 1 + (i % 3))),
    node('b0', 'B'),
    node('b1', 'B', 2),
    ...Array.from({ length: 3 }, (_, i) => node(`c${i}`, 'C')),
  ];
  const placement = new Placement(nodes, {
    distances: { A: { B: 2, C: 5 }, B: { C: 1 }, D: { C: 1, A: 4 } },
  });
  for (const file of FILES.slice(0, 500)) {
    const [hi, lo] = keyHash(file);
    for (const site of ['A', 'B', 'C', 'D', 'NOWHERE']) {
      const route = placement.route(site, hi, lo);
      const order = route.node ? [route.node, ...route.alternatives].map((n) => n.id) : [];
      for (const k of [1, 2, 5, 9, 20]) {
        const first = placement.firstChoices(site, hi, lo, k);
        assert.deepEqual(
          first.nodes.map((n) => n.id),
          order.slice(0, k),
          `${file} from ${site}, k=${k}`,
        );
        assert.equal(first.level, route.level);
      }
    }
  }
});

test('a client site without nodes goes to the nearest site with nodes, an unreachable one to the origin', () => {
  const placement = new Placement([node('far', 'FAR'), node('near', 'NEAR')], {
    distances: { CLIENT: { FAR: 20, NEAR: 3 }, LONELY: {} },
  });
  const [hi, lo] = keyHash('/store/x.root');
  const route = placement.route('CLIENT', hi, lo);
  assert.equal(route.node?.id, 'near');
  assert.equal(route.level, 'nearby');
  assert.deepEqual(
    route.alternatives.map((n) => n.id),
    ['far'],
  );
  const lonely = placement.route('LONELY', hi, lo);
  assert.equal(lonely.node, undefined);
  assert.equal(lonely.level, 'origin');
  assert.equal(placement.route('NEAR', hi, lo).level, 'site');
});

test('a hot file is spread over the first k nodes of the site; a cold one always gets one copy', () => {
  const placement = new Placement(
    ['a', 'b', 'c', 'd'].map((id) => node(id, 'A')),
    { replicas: 2 },
  );
  const [hi, lo] = keyHash('/store/hot.root');
  const ranked = placement.rank('A', hi, lo).map((n) => n.id);
  const hot = new Set(Array.from({ length: 10 }, (_, i) => placement.route('A', hi, lo, true, i).node?.id));
  assert.deepEqual([...hot].sort(), ranked.slice(0, 2).sort());
  const cold = new Set(Array.from({ length: 10 }, (_, i) => placement.route('A', hi, lo, false, i).node?.id));
  assert.deepEqual([...cold], [ranked[0]]);
});

test('bad memberships are refused', () => {
  assert.throws(() => new Placement([node('a', 'A'), node('a', 'B')]), /appears twice/);
  assert.throws(() => new Placement([node('a', 'A', 0)]), /weight must be a positive number/);
});
