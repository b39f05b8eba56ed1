import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { lowerBound } from '../../src/common/typed-arrays.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { writeTrace } from '../../src/trace/write.js';
import { smartcache, tempPath } from '../helpers.js';
import { T0 } from './helpers.js';

test('prep -> train -> evaluate end to end; the same seed gives the same weights and metrics', async () => {
  const generated = generateWorkload({ requests: 8000, seed: 3, days: 8, users: 20, sites: 3 });
  const file = tempPath('small.csv');
  await writeTrace(generated, file, 'csv');
  const features = tempPath('features');
  await smartcache('prep', '--trace', file, '--out', features);

  const train = (kind: string, out: string) =>
    smartcache(
      'train',
      '--features',
      features,
      '--model',
      kind,
      '--train-days',
      '0..5',
      '--out',
      out,
      '--epochs',
      '2',
    );
  const [a, b, evict] = [tempPath('admit-a'), tempPath('admit-b'), tempPath('evict')];
  const first = await train('learned-admit', a);
  assert.match(first.stderr, /epoch 2\/2: loss [\d.]+, validation loss [\d.]+, auc [\d.]+/);
  await train('learned-admit', b);
  await train('learned-evict', evict);
  const pa0 = JSON.parse(readFileSync(join(a, 'params.json'), 'utf8'));
  assert.deepEqual(
    pa0.thresholds.map((t: { cacheSize: number }) => t.cacheSize > 0),
    [true, true, true],
    'one threshold per tuning size (1 %, 5 %, 10 %)',
  );
  assert.deepEqual(readFileSync(join(a, 'weights.bin')), readFileSync(join(b, 'weights.bin')));
  const pa = JSON.parse(readFileSync(join(a, 'params.json'), 'utf8'));
  const pb = JSON.parse(readFileSync(join(b, 'params.json'), 'utf8'));
  assert.deepEqual(pa.metrics, pb.metrics);
  assert.equal(pa.threshold, pb.threshold);
  assert.deepEqual(pa.training.trainDays, ['0', '5']);
  assert.equal(readFileSync(join(a, 'labels.txt'), 'utf8'), 'evict\nadmit\n');

  // an existing bundle is not overwritten by accident; unknown kinds list the known ones
  await assert.rejects(train('learned-admit', a), /not empty; pass --overwrite/);
  await assert.rejects(
    train('magic', tempPath('x')),
    /unknown model "magic"; known: learned-admit, learned-evict/,
  );

  const { stdout } = await smartcache(
    'evaluate',
    '--trace',
    file,
    '--bundle',
    a,
    '--bundle',
    evict,
    '--test-days',
    '6..7',
    '--sizes',
    '0.05,0.1',
    '--policies',
    'lru,arc,belady',
    '--under',
    'lru',
    '--json',
    '--retrain-every',
    '1d',
    '--retrain-window',
    '3d',
    '--retrain-model',
    'learned-admit',
    '--epochs',
    '1',
  );
  const out = JSON.parse(stdout);
  const testRequests = generated.length - lowerBound(generated.time, T0 + 6 * DAY);
  const labels = new Set(out.results.map((r: { label?: string; policy: string }) => r.label ?? r.policy));
  for (const name of ['lru', 'arc', 'belady', 'learned-admit(learned-admit,under=lru)'])
    assert.ok(labels.has(name), name);
  assert.ok([...labels].some((l) => String(l).startsWith('learned-admit(retrain 1d/3d')));
  assert.ok([...labels].some((l) => String(l).startsWith('learned-evict(learned-evict')));
  for (const r of out.results)
    assert.equal(r.requests, testRequests, `${r.policy} counts only the test days`);
  const roles = out.gap.map((g: { role: string }) => g.role);
  assert.ok(roles.includes('best classic') && roles.includes('belady') && roles.includes('learned'));
});

test('the RL agents train from a feature set and evaluate beside the classic policies', async () => {
  const generated = generateWorkload({ requests: 6000, seed: 4, days: 6, users: 10, sites: 2 });
  const file = tempPath('rl.csv');
  await writeTrace(generated, file, 'csv');
  const features = tempPath('rl-features');
  await smartcache('prep', '--trace', file, '--out', features);
  const bundle = tempPath('scdl2');
  await smartcache(
    'train',
    '--features',
    features,
    '--model',
    'scdl2',
    '--train-days',
    '0..3',
    '--out',
    bundle,
  );
  const params = JSON.parse(readFileSync(join(bundle, 'params.json'), 'utf8'));
  assert.equal(params.kind, 'scdl2');
  assert.deepEqual(params.training.trainDays, ['0', '3']);
  const { stdout } = await smartcache(
    'evaluate',
    '--trace',
    file,
    '--bundle',
    bundle,
    '--test-days',
    '4..5',
    '--sizes',
    '0.05',
    '--policies',
    'lru,belady',
    '--json',
  );
  const labels = JSON.parse(stdout).results.map(
    (r: { label?: string; policy: string }) => r.label ?? r.policy,
  );
  assert.ok(labels.includes('scdl2(scdl2)'), labels.join(', '));
});

test('train takes only the options its model reads, checks numbers, and defaults to the first 70 % of days', async () => {
  const file = tempPath('ten-days.csv');
  await writeTrace(generateWorkload({ requests: 4000, seed: 5, days: 10, users: 10, sites: 2 }), file, 'csv');
  const features = tempPath('ten-days-features');
  await smartcache('prep', '--trace', file, '--out', features);
  const train = (...args: string[]) =>
    smartcache('train', '--features', features, '--out', tempPath('bundle'), '--epochs', '1', ...args);

  await assert.rejects(
    train('--model', 'scdl2', '--hidden', '64,64'),
    /--hidden does not apply to --model scdl2; it takes --seed, --epochs/,
  );
  await assert.rejects(train('--model', 'rl', '--learning-rate', '0.01'), /--learning-rate does not apply/);
  await assert.rejects(train('--model', 'learned-evict', '--label', 'reused'), /--label does not apply/);
  await assert.rejects(
    train('--model', 'learned-evict', '--tune-under', 's3fifo'),
    /--tune-under does not apply/,
  );
  await assert.rejects(
    train('--model', 'learned-admit', '--batch-size', 'x'),
    /option '--batch-size <n>' argument 'x' is invalid. expected integer in 1\.\.1048576/,
  );
  await assert.rejects(
    train('--model', 'learned-admit', '--hidden', '32,0'),
    /--hidden <list>' argument '32,0'/,
  );

  const out = tempPath('default-days');
  const { stderr } = await smartcache(
    'train',
    '--features',
    features,
    '--model',
    'learned-evict',
    '--out',
    out,
    '--epochs',
    '1',
  );
  assert.match(stderr, /days 0\.\.6 \(the first 70 % of 10; choose with --train-days\)/);
  const params = JSON.parse(readFileSync(join(out, 'params.json'), 'utf8'));
  assert.deepEqual(params.training.trainDays, ['0', '6']);
});
