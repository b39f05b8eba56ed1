import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type LoopEvent, readLoopHistory } from '../../src/deploy/loop-history.js';
import { smartcache } from '../helpers.js';
import { runs, stackDir, status, until, up } from './stack-helpers.js';

const LOOP_STACK = {
  origin: { generated: { requests: 4000, seed: 11, medianFileSize: '24KB' } },
  sites: [
    { name: 'T2_IT_Pisa', nodes: [{ capacity: '3MB' }, { capacity: '3MB' }] },
    { name: 'T2_IT_Bari', nodes: [{ capacity: '3MB' }] },
  ],
  load: { requests: 4000, rate: 50, concurrency: 4 },
  loop: { interval: '4s', window: '3s', sizes: '0.1', epochs: 2 },
  stopTimeout: '5s',
};

let dir = '';
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const promoted = (events: LoopEvent[]) => events.filter((e) => e.step === 'promote' && e.ok);

async function nodeVersions(urls: string[]): Promise<(number | undefined)[]> {
  return Promise.all(
    urls.map(
      async (url) =>
        ((await (await fetch(`${url}/healthz`)).json()) as { modelVersion?: number }).modelVersion,
    ),
  );
}

describe('the closed loop', () => {
  it('retrains on the access logs, promotes a model, and the nodes use the promoted version', async () => {
    const stack = await stackDir(LOOP_STACK);
    dir = stack.dir;
    const history = join(dir, '.smartcache', 'loop', 'history.jsonl');
    const running = await up(stack.dir, stack.file);
    let pids: number[] = [];
    try {
      const s = await status(stack.file);
      pids = s.components.map((c) => c.pid);
      const nodes = s.components.filter((c) => c.kind === 'cache').map((c) => c.url);
      await until(
        async () => promoted((await readLoopHistory(history)).events).length > 0,
        45_000,
        'a promoted model',
      );
      const { events } = await readLoopHistory(history);
      const first = promoted(events)[0];
      const round = events.filter((e) => e.round === first.round);
      assert.deepEqual(
        round.map((e) => e.step),
        ['collect', 'prep', 'train', 'evaluate', 'promote'],
      );
      assert.ok(round.every((e) => e.ok));
      assert.equal(first.candidate?.model, 'admit');
      assert.ok(Number.isInteger(first.candidate?.version) && (first.candidate?.version ?? 0) >= 1);
      const evaluated = round[3];
      assert.equal(evaluated.candidate?.version, 0, 'a candidate is version 0 until it is published');
      assert.ok(evaluated.candidate!.byteHitRatio >= 0 && evaluated.candidate!.byteHitRatio <= 1);

      // the load keeps the nodes asking the service: each answers with the newest promoted version
      let latest = 0;
      let seen: (number | undefined)[] = [];
      await until(
        async () => {
          latest = promoted((await readLoopHistory(history)).events).at(-1)?.candidate?.version ?? 0;
          seen = await nodeVersions(nodes);
          return seen.every((v) => v === latest);
        },
        20_000,
        'every node on the promoted version',
      );
      assert.ok(latest >= first.candidate!.version, `nodes use ${seen}, promoted ${latest}`);
      const metrics = await (await fetch(`${nodes[0]}/metrics`)).text();
      const gauge = Number(/^smartcache_cache_model_version (\d+)$/m.exec(metrics)?.[1]);
      assert.ok(gauge >= latest, `smartcache_cache_model_version ${gauge}`);
      assert.ok((await status(stack.file)).loop!.servingVersion! >= latest);
      const text = (await smartcache('status', '-f', stack.file)).stdout;
      assert.match(text, /loop: \d+ rounds, serving version \d+/);
    } finally {
      await smartcache('down', '-f', stack.file);
    }
    assert.equal(await running.exited, 0);
    for (const pid of pids) assert.equal(runs(pid), false, `pid ${pid} still runs`);
    const { events, skippedLines } = await readLoopHistory(history);
    assert.deepEqual(skippedLines, []);
    for (const e of events.filter((e) => e.step === 'keep')) {
      assert.ok(e.candidate!.byteHitRatio <= e.serving!.byteHitRatio, JSON.stringify(e));
    }
    for (const e of promoted(events).slice(1)) {
      assert.ok(e.candidate!.byteHitRatio > e.serving!.byteHitRatio, JSON.stringify(e));
    }
  });
});
