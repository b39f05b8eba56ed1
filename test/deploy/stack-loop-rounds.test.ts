import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClosedLoop, type LoopOptions } from '../../src/deploy/loop.js';
import { type LoopEvent, readLoopHistory } from '../../src/deploy/loop-history.js';
import type { RunningServer } from '../../src/serve/server.js';
import { DEFAULT_START, generateWorkload } from '../../src/trace/generate.js';
import { writeTrace } from '../../src/trace/write.js';
import { freePort } from '../cache/servers.js';
import { ADMIN, start } from '../serve/http.js';
import { until } from './stack-helpers.js';

const HOUR = 3600;

/** Rounds of the loop over a fixed access log of one generated day, its clock just after that day. */
describe('closed loop rounds', { timeout: 120_000 }, () => {
  let dir: string;
  let log: string;
  let service: RunningServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'smartcache-loop-'));
    log = join(dir, 'access.jsonl');
    await writeTrace(generateWorkload({ requests: 3000, seed: 3, days: 1 }), log, 'xrootd');
    service = await start();
  });
  after(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  const options = (loopDir: string, modelUrl: string): LoopOptions => ({
    interval: 0.05,
    window: 6 * HOUR,
    sizes: '0.1',
    epochs: 2,
    under: 'lru',
    model: 'admit',
    logs: [log],
    dir: loopDir,
    history: join(loopDir, 'history.jsonl'),
    modelUrl,
    token: ADMIN,
    clock: () => DEFAULT_START + 24 * HOUR + 1,
  });

  /** Runs the loop until `rounds` rounds are over (the last event of each is promote, keep or a failure). */
  async function runRounds(o: LoopOptions, rounds: number): Promise<LoopEvent[]> {
    const before = (await readLoopHistory(o.history)).events.length;
    const over = (events: LoopEvent[]) =>
      events.filter((e) => e.step === 'promote' || e.step === 'keep' || !e.ok).length;
    const loop = await ClosedLoop.start(o);
    try {
      await until(
        async () => over((await readLoopHistory(o.history)).events.slice(before)) >= rounds,
        90_000,
        `${rounds} rounds`,
      );
    } finally {
      await loop.stop();
    }
    return (await readLoopHistory(o.history)).events.slice(before);
  }

  it('promotes the first model, keeps an equal one, and remembers both across restarts', async () => {
    const loopDir = join(dir, 'loop');
    const o = options(loopDir, service.url);
    const events = await runRounds(o, 2);
    const round1 = events.filter((e) => e.round === 1);
    assert.deepEqual(
      round1.map((e) => e.step),
      ['collect', 'prep', 'train', 'evaluate', 'promote'],
      JSON.stringify(events),
    );
    assert.match(round1[0].detail, /3 k requests from 1 access logs: windows 0\.\.2 train, window 3/);
    assert.equal(round1[4].candidate?.version, 1);
    assert.equal(round1[4].serving, undefined);
    // the same logs, the same seed: an equal candidate, which is not better, so version 1 stays
    const round2 = events.filter((e) => e.round === 2);
    assert.deepEqual(
      round2.map((e) => e.step),
      ['collect', 'prep', 'train', 'evaluate', 'keep'],
    );
    const kept = round2[4];
    assert.equal(kept.serving?.version, 1);
    assert.equal(kept.candidate?.byteHitRatio, kept.serving?.byteHitRatio);
    const models = (await (await fetch(`${service.url}/models`)).json()) as { version: number }[];
    assert.deepEqual(
      models.map((m) => m.version),
      [1],
    );
    const serving = JSON.parse(await readFile(join(loopDir, 'serving.json'), 'utf8')) as { version: number };
    assert.equal(serving.version, 1);

    // a restarted loop counts on from the history and compares against the model it published
    const last = (await readLoopHistory(o.history)).events.at(-1)!.round;
    const again = (await runRounds(o, 1)).filter((e) => e.round === last + 1);
    assert.deepEqual(
      again.map((e) => e.step),
      ['collect', 'prep', 'train', 'evaluate', 'keep'],
    );
    assert.equal(again[4].serving?.version, 1);
  });

  it('logs a failed step with its reason and ends the round there', async () => {
    const port = await freePort();
    const o = options(join(dir, 'unreachable'), `http://127.0.0.1:${port}`);
    const round = (await runRounds(o, 1)).filter((e) => e.round === 1);
    assert.deepEqual(
      round.map((e) => [e.step, e.ok]),
      [
        ['collect', true],
        ['prep', true],
        ['train', true],
        ['evaluate', true],
        ['promote', false],
      ],
    );
    assert.equal(
      round[4].detail,
      `publishing to http://127.0.0.1:${port}/bundle: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('waits while the logs hold no ended window to evaluate on', async () => {
    const o = { ...options(join(dir, 'early'), service.url), clock: () => DEFAULT_START + 7 * HOUR };
    const loop = await ClosedLoop.start(o);
    try {
      await until(async () => (await readLoopHistory(o.history)).events.length >= 2, 30_000, 'two rounds');
    } finally {
      await loop.stop();
    }
    const { events } = await readLoopHistory(o.history);
    for (const e of events) {
      assert.equal(e.step, 'collect');
      assert.ok(e.ok);
      assert.match(e.detail, /waiting$/);
    }
  });
});
