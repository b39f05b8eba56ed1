import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { appendLoopEvent, type LoopEvent, readLoopHistory } from '../../src/deploy/loop-history.js';
import { tempPath } from '../helpers.js';

const event = (round: number, step: LoopEvent['step']): LoopEvent => ({
  time: '2026-12-03T19:00:00.000Z',
  round,
  step,
  ok: true,
  seconds: 1.5,
  detail: `${step} of round ${round}`,
});

describe('the loop history', () => {
  it('reads back the events appended, in order', async () => {
    const file = tempPath('history.jsonl');
    await appendLoopEvent(file, event(1, 'collect'));
    await appendLoopEvent(file, {
      ...event(1, 'evaluate'),
      candidate: { model: 'admit', version: 2, byteHitRatio: 0.4, hitRatio: 0.5 },
    });
    const history = await readLoopHistory(file);
    assert.deepEqual(
      history.events.map((e) => e.step),
      ['collect', 'evaluate'],
    );
    assert.equal(history.events[1]?.candidate?.version, 2);
    assert.deepEqual(history.skippedLines, []);
  });

  it('skips and reports a torn last line and a line that is not an event', async () => {
    const file = tempPath('torn.jsonl');
    await appendLoopEvent(file, event(1, 'prep'));
    appendFileSync(
      file,
      '{"time":"2026-12-03T19:00:00.000Z","round":1,"step":"bogus","ok":true,"seconds":1,"detail":""}\n',
    );
    appendFileSync(file, '{"time":"2026-12-03T19:');
    const history = await readLoopHistory(file);
    assert.deepEqual(
      history.events.map((e) => e.step),
      ['prep'],
    );
    assert.deepEqual(history.skippedLines, [2, 3]);
  });

  it('is empty before the loop has written anything', async () => {
    assert.deepEqual(await readLoopHistory(tempPath('none.jsonl')), { events: [], skippedLines: [] });
  });
});
