/** The Spark Connect client against one real local Spark Connect server shared by all tests here. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Table, Type } from 'apache-arrow';
import { SparkConnectClient } from '../../../src/prep/spark/connect.js';
import { SparkError } from '../../../src/prep/spark/errors.js';
import { startTestSpark, type TestSpark } from './local-spark.js';

let spark: TestSpark;
let client: SparkConnectClient;
let dataDir: string;

before(async () => {
  spark = await startTestSpark();
  client = await SparkConnectClient.connect(spark.server.remote);
  dataDir = await mkdtemp(join(tmpdir(), 'smartcache-spark-data-'));
});

after(async () => {
  await client?.close();
  await spark?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const rows = (table: Table) => table.toArray().map((row) => row.toJSON());

test('the server is the pinned Spark version', async () => {
  assert.equal(await client.sparkVersion(), '4.0.1');
});

test('a literal row comes back as Arrow with Spark types', async () => {
  const table = await client.sql(`
    select 1 as i, cast(7 as bigint) as l, 2.5d as d, 'cms' as s, true as b,
           timestamp'2024-01-02 03:04:05' as ts, date'2024-01-01' as day, cast(null as int) as n`);
  const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.type]));
  assert.equal(types.i.typeId, Type.Int);
  assert.equal(types.i.bitWidth, 32);
  assert.equal(types.l.bitWidth, 64);
  assert.equal(types.d.typeId, Type.Float);
  assert.equal(types.s.typeId, Type.Utf8);
  assert.equal(types.b.typeId, Type.Bool);
  assert.equal(types.ts.typeId, Type.Timestamp);
  assert.equal(types.ts.timezone, 'UTC', 'sessions default to UTC');
  assert.equal(types.day.typeId, Type.Date);
  assert.equal(table.schema.fields.find((f) => f.name === 'n')?.nullable, true);
  assert.deepEqual(rows(table), [
    {
      i: 1,
      l: 7n,
      d: 2.5,
      s: 'cms',
      b: true,
      ts: Date.UTC(2024, 0, 2, 3, 4, 5),
      day: Date.UTC(2024, 0, 1),
      n: null,
    },
  ]);
});

test('an empty result keeps its schema', async () => {
  const table = await client.sql('select id, cast(id as string) as s from range(10) where id < 0');
  assert.equal(table.numRows, 0);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    ['id', 's'],
  );
});

test('a large result arrives in several Arrow batches joined into one table', async () => {
  const table = await client.sql('select id, id * 2 as twice from range(300000)');
  assert.equal(table.numRows, 300000);
  assert.ok(table.batches.length > 1, `${table.batches.length} batch(es)`);
  assert.equal(table.get(299999)?.twice, 599998n);
});

test('window functions: lag and a range frame per partition', async () => {
  await client.execute(`
    create or replace temp view requests as
    select * from values ('a', 1, 10), ('a', 5, 20), ('a', 30, 30), ('b', 2, 40), ('b', 3, 50)
      as t(file, time, bytes)`);
  const table = await client.sql(`
    select file, time,
           lag(time) over (partition by file order by time) as prev_time,
           count(*) over (partition by file order by time range between 10 preceding and current row) as recent
    from requests order by file, time`);
  assert.deepEqual(rows(table), [
    { file: 'a', time: 1, prev_time: null, recent: 1n },
    { file: 'a', time: 5, prev_time: 1, recent: 2n },
    { file: 'a', time: 30, prev_time: 5, recent: 1n },
    { file: 'b', time: 2, prev_time: null, recent: 1n },
    { file: 'b', time: 3, prev_time: 2, recent: 2n },
  ]);
});

test('a local CSV file is readable through a temporary view', async () => {
  const csv = join(dataDir, 'accesses.csv');
  await writeFile(csv, 'site,bytes\nT2_CH_CERN,100\nT1_US_FNAL,250\nT2_CH_CERN,50\n');
  await client.execute(
    `create or replace temp view accesses using csv options (path '${csv}', header 'true', inferSchema 'true')`,
  );
  const table = await client.sql(
    'select site, sum(bytes) as bytes from accesses group by site order by site',
  );
  assert.deepEqual(rows(table), [
    { site: 'T1_US_FNAL', bytes: 250n },
    { site: 'T2_CH_CERN', bytes: 150n },
  ]);
});

test('writeParquet partitions by column and the files read back', async () => {
  const out = join(dataDir, 'features');
  const query = "select id, id % 3 as g, concat('f', id) as name from range(30)";
  await client.writeParquet(query, out, { partitionBy: ['g'], mode: 'overwrite' });
  const entries = await readdir(out);
  assert.deepEqual(entries.filter((e) => e.startsWith('g=')).sort(), ['g=0', 'g=1', 'g=2']);
  assert.ok(entries.includes('_SUCCESS'));
  assert.ok((await readdir(join(out, 'g=1'))).some((f) => f.endsWith('.parquet')));
  const back = await client.sql(
    `select g, count(*) as n, min(id) as first from parquet.\`${out}\` group by g order by g`,
  );
  assert.deepEqual(rows(back), [
    { g: 0, n: 10n, first: 0n },
    { g: 1, n: 10n, first: 1n },
    { g: 2, n: 10n, first: 2n },
  ]);

  await client.writeParquet('select id, id % 3 as g from range(3)', out, {
    partitionBy: ['g'],
    mode: 'overwrite',
  });
  const [{ n }] = rows(await client.sql(`select count(*) as n from parquet.\`${out}\``));
  assert.equal(n, 3n, 'overwrite replaces the old files');
  await assert.rejects(client.writeParquet(query, out), (err: unknown) => {
    assert.ok(err instanceof SparkError);
    assert.match(err.message, /already exists/);
    return true;
  });
});

test('SQL errors surface as SparkError with the server message, class and state', async () => {
  await assert.rejects(client.sql('select * from no_such_table'), (err: unknown) => {
    assert.ok(err instanceof SparkError);
    assert.equal(err.errorClass, 'TABLE_OR_VIEW_NOT_FOUND');
    assert.equal(err.sqlState, '42P01');
    assert.match(err.message, /`no_such_table` cannot be found/);
    return true;
  });
  await assert.rejects(client.execute('selec 1'), (err: unknown) => {
    assert.ok(err instanceof SparkError);
    assert.equal(err.errorClass, 'PARSE_SYNTAX_ERROR');
    assert.match(err.message, /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'selec'/);
    return true;
  });
  await assert.rejects(client.sql("select raise_error('bad feature row')"), /bad feature row/);
  assert.deepEqual(rows(await client.sql('select 1 as ok')), [{ ok: 1 }], 'the session survives errors');
});

test('each client has its own session: temp views do not leak, settings apply', async () => {
  const other = await SparkConnectClient.connect(spark.server.remote, {
    conf: { 'spark.sql.session.timeZone': 'Europe/Zurich' },
  });
  try {
    assert.notEqual(other.sessionId, client.sessionId);
    await assert.rejects(other.sql('select * from requests'), SparkError);
    assert.deepEqual(rows(await other.sql('select current_timezone() as tz')), [{ tz: 'Europe/Zurich' }]);
  } finally {
    await other.close();
  }
});
