/**
 * Every kind `smartcache train` makes is served, and the service decides as the simulator
 * does: the same rows give the same outputs over /json, the same decisions over /v1/decide,
 * and the same decisions in-process, through the code the simulator's policies run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { readBundleSync } from '../../src/learn/bundle.js';
import { onlineFeatures } from '../../src/learn/online-features.js';
import { scoreRows } from '../../src/learn/policies/mlp.js';
import { STORE } from '../../src/learn/rl/actions.js';
import { rlModels } from '../../src/learn/rl/rl-models.js';
import { ADDITION_SPACE, EVICTION_SPACE } from '../../src/learn/rl/table-encoder.js';
import { readScdl2Tables } from '../../src/learn/rl/table-file.js';
import type { RunningServer } from '../../src/serve/server.js';
import { generateWorkload } from '../../src/trace/generate.js';
import type { Trace } from '../../src/trace/model.js';
import { writeTrace } from '../../src/trace/write.js';
import { smartcache, tempPath } from '../helpers.js';
import { postJson, start } from './http.js';

const KINDS = ['learned-admit', 'learned-evict', 'scdl2', 'rl'] as const;
const models = tempPath('trained-models');
let trace: Trace;
let server: RunningServer;

before(async () => {
  trace = generateWorkload({ requests: 6000, seed: 4, days: 6, users: 10, sites: 2 });
  const file = tempPath('kinds.csv');
  await writeTrace(trace, file, 'csv');
  const features = tempPath('kinds-features');
  await smartcache('prep', '--trace', file, '--out', features);
  for (const kind of KINDS) {
    await smartcache(
      'train',
      '--features',
      features,
      '--model',
      kind,
      '--epochs',
      '1',
      '--out',
      join(models, kind),
    );
  }
  server = await start({ models });
});

after(() => server?.close());

interface Served {
  outputs: number[][];
  scores: number[];
  decisions: boolean[];
}

/** The rows over /json one by one and over /v1/decide as one batch. */
async function serve(model: string, features: string[], rows: number[][]): Promise<Served> {
  const outputs: number[][] = [];
  for (const values of rows) {
    const res = await postJson<number[]>(`${server.url}/json`, { keys: features, values, model });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    outputs.push(res.body);
  }
  const res = await postJson<{ scores: number[]; decisions: boolean[] }>(`${server.url}/v1/decide`, {
    model,
    features,
    rows,
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { outputs, ...res.body };
}

const f32 = (values: ArrayLike<number>) => Array.from(values, (v) => Math.fround(v));

test('the service loads a bundle of every trained kind', async () => {
  const listed = (await (await fetch(`${server.url}/models`)).json()) as { name: string }[];
  assert.deepEqual(listed.map((m) => m.name).sort(), [...KINDS].sort());
});

for (const kind of ['learned-admit', 'learned-evict'] as const) {
  test(`${kind}: /json, /v1/decide and the simulator's scoring agree on request features`, async () => {
    const bundle = readBundleSync(join(models, kind));
    const matrix = onlineFeatures(trace);
    const width = matrix.names.length;
    // JSON has no NaN: rows whose every feature is known (not a file's first request)
    const picked: number[] = [];
    for (let r = 0; r < matrix.rows && picked.length < 40; r += 37) {
      if (matrix.values.subarray(r * width, (r + 1) * width).every(Number.isFinite)) picked.push(r);
    }
    const values = new Float64Array(picked.length * width);
    for (const [i, r] of picked.entries())
      values.set(matrix.values.subarray(r * width, (r + 1) * width), i * width);
    const inProcess = scoreRows(bundle, { names: matrix.names, rows: picked.length, values });
    const rows = picked.map((_, i) =>
      bundle.params.features.map((f) => values[i * width + matrix.names.indexOf(f)]),
    );
    const served = await serve(kind, bundle.params.features, rows);
    assert.deepEqual(served.outputs.flat(), [...inProcess]);
    assert.deepEqual(served.scores, [...inProcess]);
    const threshold = bundle.params.threshold ?? (kind === 'learned-evict' ? Math.log(86_400) : 0.5);
    assert.deepEqual(
      served.decisions,
      [...inProcess].map((s) => s >= threshold),
    );
  });
}

test('scdl2: the served tables bucket agent states as the simulated agents do', async () => {
  const bundle = readBundleSync(join(models, 'scdl2'));
  const tables = readScdl2Tables(bundle.dir, new Random(1));
  const [addition, eviction] = bundle.params.heads ?? [];
  const rng = new Random(9);
  const pick = (choices: number[]) => choices[rng.int(choices.length)];
  // values below, on and above the original's bucket edges
  const states = Array.from({ length: 60 }, () => ({
    size_mb: pick([100, 2301, 2302, 3300, 5371, 9000]),
    requests: pick([1, 2, 3, 6, 7, 40]),
    since_last_requests: pick([0, 41, 42, 937, 50_000, 1e9]),
    hit: pick([0, 1]),
    occupancy_pct: pick([0, 50, 51, 92, 95, 100]),
    hit_rate_pct: pick([0, 5, 9, 25, 80]),
    category_size_bucket: rng.int(7),
    category_requests_bucket: rng.int(4),
    category_since_last_bucket: rng.int(7),
    category_share_pct: pick([0, 5, 6, 50, 90]),
  }));
  const features = bundle.params.features;
  const rows = states.map((s) => features.map((f) => s[f as keyof typeof s]));
  const served = await serve('scdl2', features, rows);
  states.forEach((s, i) => {
    const a = ADDITION_SPACE.stateOf(addition.inputs.map((f) => s[f as keyof typeof s]));
    const e = EVICTION_SPACE.stateOf(eviction.inputs.map((f) => s[f as keyof typeof s]));
    const expected = [
      ...addition.outputs.map((_, k) => tables.addition.get(a, k)),
      ...eviction.outputs.map((_, k) => tables.eviction.get(e, k)),
    ];
    assert.deepEqual(served.outputs[i], f32(expected), `row ${i}`);
    const [notStore, store] = expected;
    assert.equal(served.decisions[i], store >= notStore, `row ${i}`);
  });
  const visited = new Set(states.map((_, i) => served.outputs[i].slice(0, 2).join()));
  assert.ok(visited.size > 1, 'the rows reach trained states, not only untouched ones');
});

test('rl: the served networks decide as the simulated agents do', async () => {
  const bundle = readBundleSync(join(models, 'rl'));
  const agents = rlModels(1, false, bundle.dir);
  const [addition, eviction] = bundle.params.heads ?? [];
  const rng = new Random(11);
  const features = bundle.params.features;
  const rows = Array.from({ length: 60 }, () => features.map(() => rng.float() * 4 - 1));
  const served = await serve('rl', features, rows);
  const greedy = (net: typeof agents.addition, inputs: string[], row: number[]) => {
    const handle = net.allocate();
    net.rows.set(
      inputs.map((f) => row[features.indexOf(f)]),
      net.row(handle),
    );
    return net.greedy(handle);
  };
  const argmax = (values: number[]) => values.indexOf(Math.max(...values));
  rows.forEach((row, i) => {
    const store = greedy(agents.addition, addition.inputs, row) === STORE;
    assert.equal(served.decisions[i], store, `row ${i}`);
    assert.equal(argmax(served.outputs[i].slice(0, 2)) === STORE, store, `row ${i}`);
    const victim = greedy(agents.eviction, eviction.inputs, row);
    assert.equal(argmax(served.outputs[i].slice(2)), victim, `row ${i}`);
  });
});
