import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { type EvaluationPlan, evaluateHeldOut } from '../../src/learn/evaluate.js';
import { parseOnlineTuning } from '../../src/learn/tune-online.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { generateWorkload } from '../../src/trace/generate.js';
import type { Request } from '../../src/trace/model.js';
import { traceHead, uniqueBytes } from '../../src/trace/model.js';
import { smartcache, tempPath } from '../helpers.js';

const generated = generateWorkload({ requests: 6000, seed: 13, days: 4 });
const requests: Request[] = Array.from(generated.obj, (obj, i) => ({
  time: generated.time[i],
  key: generated.keys.key(obj),
  size: generated.size[i],
}));
const testFrom = Math.floor(generated.time[0] / DAY) * DAY + 3 * DAY;
const historyLength = requests.findIndex((r) => r.time >= testFrom);
const trace = traceFromRequests(requests, true);
/** the same history, and test-day requests for other objects than the first trace's */
const otherTestDay = traceFromRequests(
  requests.map((r, i) =>
    i < historyLength ? r : { ...r, key: requests[requests.length - 1 - (i - historyLength)].key },
  ),
  true,
);
const capacity = Math.floor(0.05 * uniqueBytes(trace));
const policy = 'lrb(retrain-every=512)';

const plan = (t: typeof trace, online: string, tune?: string): EvaluationPlan => ({
  trace: t,
  testDays: '3',
  period: DAY,
  sizes: String(capacity),
  bundles: [],
  policies: 'lru',
  online,
  onlineTune: tune === undefined ? undefined : parseOnlineTuning(tune),
  unders: [],
  candidates: '64',
  seed: 1,
  workers: 1,
});

test('--online-tune keeps the value with the best byte hit ratio on the last third of the history, and replays the test days with it', async () => {
  const evaluation = await evaluateHeldOut(plan(trace, policy, 'window-factor=1,0.25'));
  assert.equal(evaluation.tuning.length, 1);
  const [choice] = evaluation.tuning;
  // three history days: the last one (day 2) is counted
  const dayTwo = testFrom - DAY;
  for (const { value, byteHitRatio } of choice.scores) {
    const replay = simulate(traceHead(trace, historyLength), policySpec('lrb'), {
      capacity,
      seed: 1,
      window: DAY,
      params: { 'retrain-every': '512', 'window-factor': value },
    });
    const counted = replay.windows.filter((w) => w.start >= dayTwo);
    const expected =
      counted.reduce((s, w) => s + w.bytesHit, 0) / counted.reduce((s, w) => s + w.bytesRequested, 0);
    assert.ok(Math.abs(byteHitRatio - expected) < 1e-12, `${value}: ${byteHitRatio} vs ${expected}`);
  }
  const best = Math.max(...choice.scores.map((s) => s.byteHitRatio));
  assert.equal(choice.scores.find((s) => s.value === choice.value)?.byteHitRatio, best);
  const tuned = evaluation.results.find((r) => r.label === 'lrb(retrain-every=512,window-factor=tuned)');
  assert.ok(tuned, JSON.stringify(evaluation.results.map((r) => r.label ?? r.policy)));
  const fixed = await evaluateHeldOut(plan(trace, `lrb(retrain-every=512,window-factor=${choice.value})`));
  const same = fixed.results.find((r) => r.policy === 'lrb');
  assert.equal(tuned.byteHitRatio, same?.byteHitRatio);
});

test('--online-tune reads no test-day request: other test days, same choice and scores', async () => {
  const a = await evaluateHeldOut(plan(trace, policy, 'window-factor=1,0.25'));
  const b = await evaluateHeldOut(plan(otherTestDay, policy, 'window-factor=1,0.25'));
  assert.deepEqual(a.tuning, b.tuning);
  assert.notEqual(a.results[0].bytesHit, b.results[0].bytesHit, 'the test days do differ');
});

test('--online-tune refuses a parameter the policy sets already, does not take, or a bad value', async () => {
  assert.throws(() => parseOnlineTuning('window-factor=1'), /expected param=value,value/);
  await assert.rejects(
    evaluateHeldOut(plan(trace, 'lrb(window-factor=2)', 'window-factor=1,0.5')),
    /lrb\(window-factor=2\) already sets it/,
  );
  await assert.rejects(evaluateHeldOut(plan(trace, policy, 'colour=1,2')), /colour is unknown/);
  await assert.rejects(
    evaluateHeldOut({ ...plan(trace, policy, 'window-factor=1,0.5'), online: undefined }),
    /give the policies to tune with --online/,
  );
  await assert.rejects(evaluateHeldOut(plan(trace, policy, 'window-factor=1,-3')), /window-factor/);
});

test('evaluate --online-tune prints the value kept per size and what each scored on the history', async () => {
  const file = tempPath('tune.csv');
  await smartcache('generate', '--requests', '6000', '--days', '4', '--seed', '13', '--out', file);
  const common = ['--trace', file, '--test-days', '3', '--policies', 'lru', '--sizes', '0.05'];
  const tune = ['--online', policy, '--online-tune', 'window-factor=1,0.25'];
  const { stdout } = await smartcache('evaluate', ...common, ...tune);
  assert.match(stdout, /lrb\(retrain-every=512,window-factor=tuned\) +learned/);
  assert.match(
    stdout,
    /lrb\(retrain-every=512\) at .*: window-factor=(1|0\.25) \(history byte hit ratio 1: .*%, 0\.25: .*%\)/,
  );
  const json = JSON.parse((await smartcache('evaluate', ...common, ...tune, '--json')).stdout);
  assert.equal(json.tuning.length, 1);
  assert.deepEqual(
    json.tuning[0].scores.map((s: { value: string }) => s.value),
    ['1', '0.25'],
  );
});
