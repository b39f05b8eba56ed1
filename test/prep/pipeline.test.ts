import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { openDuckDbEngine } from '../../src/prep/duckdb.js';
import type { EngineFactory, PrepEngine } from '../../src/prep/engine.js';
import { COLUMNS, MANIFEST_FILE } from '../../src/prep/schema.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { nextRequestIndex, uniqueBytes } from '../../src/trace/model.js';
import { readTrace } from '../../src/trace/read.js';
import { sharedTraces, tempPath } from '../helpers.js';
import { assertSameRows, prepTrace, readFeatures } from './helpers.js';

const generated = generateWorkload({ requests: 5000, seed: 11, days: 5 });

test('output is partitioned into one folder per UTC day with every request once', async () => {
  const featureSet = await prepTrace(generated);
  const folders = readdirSync(featureSet.dir).filter((f) => f.startsWith('day='));
  assert.deepEqual(
    folders,
    featureSet.days.all.map((d) => `day=${d}`),
  );
  assert.equal(featureSet.days.all.length, 5);
  const rows = await readFeatures(featureSet.dir);
  assert.equal(featureSet.rows, generated.length);
  assert.deepEqual(
    rows.map((r) => r.seq),
    Array.from({ length: generated.length }, (_, i) => i),
  );
  for (const r of rows) {
    assert.equal(r.day, new Date((r.request_time as number) * 1000).toISOString().slice(0, 10));
  }
  const manifest = JSON.parse(readFileSync(join(featureSet.dir, MANIFEST_FILE), 'utf8'));
  assert.deepEqual(manifest, featureSet);
  assert.equal(manifest.engine, 'duckdb');
});

test('opt_admit is a direct Belady simulation: the next request of the object hits', async () => {
  const capacity = Math.floor(0.05 * uniqueBytes(generated));
  const hits = new Uint8Array(generated.length);
  simulate(generated, policySpec('belady'), { capacity, hitLog: hits });
  const next = nextRequestIndex(generated);
  const rows = await readFeatures((await prepTrace(generated, { optSize: '0.05' })).dir);
  let admitted = 0;
  for (let i = 0; i < generated.length; i++) {
    const j = next[i];
    assert.equal(rows[i].opt_admit, j >= 0 ? hits[j] === 1 : null, `seq ${i}`);
    if (rows[i].opt_admit) admitted++;
  }
  assert.ok(admitted > 0 && admitted < generated.length);
});

// every engine against DuckDB: test/prep/spark/engines.test.ts, which starts a Spark
test('DuckDB gives the same rows (floats within 1e-9) whatever its parallelism', async () => {
  const reference = await readFeatures((await prepTrace(generated, { threads: 1 })).dir);
  const names = COLUMNS.map((c) => c.name);
  assertSameRows(await readFeatures((await prepTrace(generated, { threads: 2 })).dir), reference, names);
});

/** The DuckDB engine, failing at `step` after doing part of the work. */
function failingAt(step: 'run' | 'writeParquet'): EngineFactory {
  return async (options) => {
    const engine = await openDuckDbEngine(options);
    const failing: PrepEngine = {
      name: engine.name,
      dialect: engine.dialect,
      stage: (input, onProgress) => engine.stage(input, onProgress),
      run: (statements) =>
        step === 'run' ? engine.run([...statements, 'SELECT * FROM no_such_table']) : engine.run(statements),
      writeParquet: async (query, dir, partitionBy) => {
        const rows = await engine.writeParquet(query, dir, partitionBy);
        if (step === 'writeParquet') throw new Error('disk full (injected)');
        return rows;
      },
      close: () => engine.close(),
    };
    return failing;
  };
}

test('a failure leaves no output and no temporary directory behind', async () => {
  for (const step of ['run', 'writeParquet'] as const) {
    const parent = tempPath(`failing-${step}`);
    mkdirSync(parent);
    const out = join(parent, 'features');
    await assert.rejects(
      prepTrace(generated, { out }, failingAt(step)),
      step === 'run' ? /no_such_table/ : /injected/,
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(readdirSync(parent), []);
  }
});

test('a non-empty output is refused without overwrite, and replaced whole with it', async () => {
  const out = tempPath('existing');
  mkdirSync(out);
  writeFileSync(join(out, 'precious.txt'), 'keep me');
  await assert.rejects(prepTrace(generated, { out }), /is not empty; pass --overwrite/);
  assert.equal(readFileSync(join(out, 'precious.txt'), 'utf8'), 'keep me');
  await prepTrace(generated, { out, overwrite: true });
  assert.equal(existsSync(join(out, 'precious.txt')), false);
  assert.ok(existsSync(join(out, MANIFEST_FILE)));
  assert.deepEqual(
    readdirSync(dirname(out)).filter((f) => f.includes('existing')),
    [out.split('/').at(-1)],
  );
});

test('the shared cloudPhysicsIO trace preps', async () => {
  const { trace } = await readTrace(join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin'));
  const featureSet = await prepTrace(trace);
  assert.equal(featureSet.rows, trace.length);
  assert.deepEqual(featureSet.settings.inputs, []);
  const rows = await readFeatures(featureSet.dir);
  assert.equal(rows[0].object_id, String(trace.keys.key(trace.obj[0])));
  assert.equal(rows.filter((r) => r.count_ever === 0).length, trace.objectCount);
});
