import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HotFiles } from '../../src/cluster/hot-files.js';
import { Membership, type MembershipChange } from '../../src/cluster/membership.js';
import { keyHash } from '../../src/cluster/placement.js';

const beat = (id: string, site = 'A') => ({
  id,
  site,
  url: `http://127.0.0.1:9/${id}`,
  capacity: 1e9,
  weight: 1,
});

test('nodes join on their first heartbeat, expire after the timeout, and leave when they say so', () => {
  const changes: [MembershipChange, string][] = [];
  const members = new Membership(3000);
  members.onChange((change, node) => changes.push([change, node.id]));
  assert.equal(members.heartbeat(beat('a'), 0), 'join');
  assert.equal(members.heartbeat(beat('b'), 0), 'join');
  assert.equal(members.heartbeat(beat('a'), 1000), undefined);
  assert.deepEqual(members.expire(3000), []);
  assert.deepEqual(
    members.expire(3001).map((m) => m.id),
    ['b'],
  );
  assert.equal(members.leave('a'), true);
  assert.equal(members.leave('a'), false);
  assert.deepEqual(changes, [
    ['join', 'a'],
    ['join', 'b'],
    ['expire', 'b'],
    ['leave', 'a'],
  ]);
});

test('a draining node stays listed but takes no new files', () => {
  const members = new Membership(3000);
  members.heartbeat(beat('a'), 0);
  members.heartbeat(beat('b'), 0);
  assert.equal(members.heartbeat({ ...beat('b'), state: 'draining' }, 10), 'drain');
  assert.equal(members.list().length, 2);
  for (let i = 0; i < 200; i++) {
    assert.equal(members.placement().route('A', ...keyHash(`/f${i}`)).node?.id, 'a');
  }
});

test('a file becomes hot above the rate threshold and cools down again', () => {
  const hot = new HotFiles({ threshold: 1, halfLife: 10, capacity: 2 });
  let now = 0;
  let isHot = false;
  for (let i = 0; i < 100 && !isHot; i++) {
    now += 0.1;
    isHot = hot.observe('/f', now);
  }
  assert.equal(isHot, true, '10 requests/s make a file hot at 1 request/s');
  assert.equal(hot.observe('/f', now + 200), false, 'after 20 half-lives it is cold');
  assert.equal(hot.observe('/cold', now + 200), false);
  hot.observe('/other', now + 201);
  assert.equal(hot.size, 2, 'tracks at most `capacity` files');
});
