/**
 * Engine agreement: every engine gives DuckDB's rows (floats within 1e-9, all else exact) and
 * day folders, on a hand-checked trace, a shared real trace and a generated data-lake trace.
 * Spark runs on one real local Spark Connect server started for this file.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ENGINES } from '../../../src/prep/engines.js';
import { COLUMNS } from '../../../src/prep/schema.js';
import { generateWorkload } from '../../../src/trace/generate.js';
import type { Trace } from '../../../src/trace/model.js';
import { readTrace } from '../../../src/trace/read.js';
import { sharedTraces, smartcache, tempPath } from '../../helpers.js';
import { assertSameRows, prepTrace, type Row, readFeatures } from '../helpers.js';
import { expected, tiny } from '../tiny-trace.js';
import { startTestSpark, type TestSpark } from './local-spark.js';

let spark: TestSpark;
let stageDir: string;

before(async () => {
  spark = await startTestSpark();
  stageDir = await mkdtemp(join(tmpdir(), 'smartcache-spark-stage-test-'));
});

after(async () => {
  await spark?.stop();
  if (stageDir) await rm(stageDir, { recursive: true, force: true });
});

const names = COLUMNS.map((c) => c.name);
const dayFolders = async (dir: string) => (await readdir(dir)).filter((f) => f.startsWith('day=')).sort();

/** Preps `trace` with every engine and checks each against DuckDB on one thread. */
async function assertEnginesAgree(trace: Trace, optSize = '0.1'): Promise<Row[]> {
  const reference = await prepTrace(trace, { optSize, threads: 1 });
  const rows = await readFeatures(reference.dir);
  assert.equal(rows.length, trace.length);
  for (const [name, engine] of Object.entries(ENGINES)) {
    const featureSet = await prepTrace(
      trace,
      { optSize, sparkRemote: spark.server.remote, stageDir },
      engine,
    );
    assert.equal(featureSet.engine, name);
    assert.equal(featureSet.rows, trace.length, `${name}: rows in the manifest`);
    assert.deepEqual(featureSet.days, reference.days, `${name}: days`);
    assert.deepEqual(await dayFolders(featureSet.dir), await dayFolders(reference.dir), `${name}: folders`);
    const largest = assertSameRows(await readFeatures(featureSet.dir), rows, names);
    process.stderr.write(
      `# ${name}: ${rows.length} rows x ${names.length} columns equal to DuckDB's; ` +
        `largest float difference ${largest}\n`,
    );
  }
  assert.deepEqual(await readdir(stageDir), [], 'staged input removed');
  return rows;
}

test('the hand-checked trace gives the expected rows on every engine', async () => {
  const rows = await assertEnginesAgree(tiny, '150');
  assertSameRows(rows, expected, names);
});

test('the shared cloudPhysicsIO trace gives the same rows on every engine', async () => {
  const { trace } = await readTrace(join(sharedTraces, 'cloudPhysicsIO.oracleGeneral.bin'));
  await assertEnginesAgree(trace);
});

test('a generated data-lake trace with sites, users and datasets gives the same rows on every engine', async () => {
  const trace = generateWorkload({ requests: 20_000, seed: 17, days: 9 });
  assert.ok(trace.site && trace.user && trace.dataset);
  await assertEnginesAgree(trace, '0.05');
});

test('smartcache prep --engine spark --spark-remote writes the feature set', async () => {
  const trace = tempPath('gen.csv');
  await smartcache('generate', '--requests', '2000', '--days', '2', '--seed', '5', '--out', trace);
  const out = tempPath('features');
  const args = ['prep', '--trace', trace, '--out', out, '--engine', 'spark', '--json'];
  const { stdout, stderr } = await smartcache(...args, '--spark-remote', spark.server.remote);
  const manifest = JSON.parse(stdout);
  assert.equal(manifest.engine, 'spark');
  assert.equal(manifest.rows, 2000);
  assert.match(stderr, /wrote 2(\.0)? k rows over 2 days .* with spark/);
  assert.equal((await readFeatures(out)).length, 2000);
  assert.deepEqual(
    (await readdir(join(out, '..'))).filter((f) => f.includes('spark-stage')),
    [],
    'the default staging folder beside --out is removed',
  );
});
