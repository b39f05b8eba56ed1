/**
 * What runs is what was simulated: a node serves whole-file GETs under a policy, then its own
 * access log is replayed by `smartcache simulate` with the same policy and capacity, and the
 * two count the same hits and write the same bytes, for classic and learned policies.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { Random } from '../../src/common/random.js';
import { DAY } from '../../src/common/time.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import type { Trace } from '../../src/trace/model.js';
import { smartcache, tempPath } from '../helpers.js';
import { T0, trainOn } from '../learn/helpers.js';
import { get, metric } from './client.js';
import { nodeArgs, startNode, startTestOrigin, type TestOrigin } from './servers.js';

const rng = new Random(17);
const FILES = new Map(
  Array.from({ length: 40 }, (_, i) => [`/store/f${i}.root`, randomBytes(20_000 + rng.int(180_000))]),
);
const UNIQUE = [...FILES.values()].reduce((sum, b) => sum + b.length, 0);
const CAPACITY = Math.floor(UNIQUE * 0.3);
/** A skewed sequence of opens: low-numbered files are popular. */
const SEQUENCE = Array.from({ length: 160 }, () => `/store/f${Math.floor(40 * rng.float() ** 2)}.root`);

/** Two days of opens of the same files, skewed the same way, plus files read once. */
function trainingTrace(): Trace {
  const sizes = [...FILES.values()].map((b) => b.length);
  const random = new Random(5);
  return traceFromRequests(
    Array.from({ length: 3000 }, (_, i) => {
      const time = T0 + Math.floor((i * 2 * DAY) / 3000);
      if (random.chance(0.3)) return { time, key: 1000 + i, size: 20_000 + random.int(180_000) };
      const f = Math.floor(40 * random.float() ** 2);
      return { time, key: f, size: sizes[f] };
    }),
  );
}

let origin: TestOrigin;
const bundles: Record<string, string> = {};

before(async () => {
  origin = await startTestOrigin(FILES);
  for (const kind of ['learned-admit', 'scdl2']) {
    bundles[kind] = (await trainOn(trainingTrace(), kind, '0..0', CAPACITY, { epochs: 2 })).dir;
  }
});
after(() => origin?.stop());

async function replayAgreement(nodePolicy: string[], simulatedPolicy: string): Promise<void> {
  const dir = tempPath('cache');
  const node = await startNode(
    nodeArgs({ origin: origin.url, dir, capacity: String(CAPACITY) }, ...nodePolicy),
  );
  try {
    let admitted = 0;
    for (const name of SEQUENCE) {
      const response = await get(`${node.url}${name}`);
      assert.equal(response.status, 200, name);
      if (response.headers.get('x-smartcache-decision') === 'admit') admitted += response.body.length;
    }
    const hits = await metric(node.url, 'smartcache_cache_file_opens_total{decision="hit"}');
    const log = join(dir, 'access.jsonl');
    const lines = () => readFileSync(log, 'utf8').trim().split('\n').length;
    for (let wait = 0; wait < 100 && lines() < SEQUENCE.length; wait++) await setTimeout(20);
    const { stdout } = await smartcache(
      'simulate',
      '--trace',
      log,
      '--format',
      'xrootd',
      '--policies',
      simulatedPolicy,
      '--sizes',
      String(CAPACITY),
      '--json',
    );
    const [result] = JSON.parse(stdout);
    assert.equal(result.requests, SEQUENCE.length);
    assert.equal(result.hits, hits, `${simulatedPolicy}: simulated hits vs the node's`);
    assert.equal(result.bytesWritten, admitted, `${simulatedPolicy}: bytes admitted`);
    assert.ok(hits > 0 && hits < SEQUENCE.length, `${simulatedPolicy} hits some and misses some (${hits})`);
  } finally {
    await node.stop();
  }
}

for (const policy of ['lru', 's3fifo', 'arc']) {
  test(`${policy}: the node's hits are the simulator's on the node's own log`, () =>
    replayAgreement(['--policy', policy], policy));
}

for (const kind of ['learned-admit', 'scdl2']) {
  test(`${kind} from a bundle: the node's hits are the simulator's on the node's own log`, () =>
    replayAgreement(['--bundle', bundles[kind]], `${kind}(bundle=${bundles[kind]})`));
}
