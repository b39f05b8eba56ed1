/** Failures that need no running Spark: nobody listening, no Spark installation, a JVM that cannot start. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SparkConnectClient } from '../../../src/prep/spark/connect.js';
import { SparkUnreachableError } from '../../../src/prep/spark/errors.js';
import {
  freePort,
  LocalSparkError,
  localSparkStatus,
  startLocalSpark,
} from '../../../src/prep/spark/local-server.js';
import { openSparkEngine } from '../../../src/prep/spark.js';
import { traceFromRequests } from '../../../src/trace/builder.js';
import { smartcache, tempFile } from '../../helpers.js';
import { prepTrace } from '../helpers.js';

let stateDir: string;
before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'smartcache-spark-test-'));
});
after(() => rm(stateDir, { recursive: true, force: true }));

test('a port without a server fails fast with host, port and how to start one', async () => {
  const port = await freePort();
  const started = Date.now();
  await assert.rejects(SparkConnectClient.connect(`sc://127.0.0.1:${port}`), (err: unknown) => {
    assert.ok(err instanceof SparkUnreachableError);
    assert.equal(err.host, '127.0.0.1');
    assert.equal(err.port, port);
    assert.match(err.message, new RegExp(`sc://127\\.0\\.0\\.1:${port}`));
    assert.match(err.message, new RegExp(`smartcache spark start --port ${port}`));
    return true;
  });
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('starting without a Spark installation says how to install one', async () => {
  await assert.rejects(
    startLocalSpark({ port: await freePort(), stateDir, sparkHome: join(stateDir, 'no-spark') }),
    (err: unknown) => err instanceof LocalSparkError && /not a Spark home/.test(err.message),
  );
  const sparkHome = process.env.SPARK_HOME;
  delete process.env.SPARK_HOME;
  try {
    await assert.rejects(
      startLocalSpark({ port: await freePort(), stateDir, python: join(stateDir, 'no-python') }),
      (err: unknown) => err instanceof LocalSparkError && /install-spark\.sh/.test(err.message),
    );
  } finally {
    if (sparkHome !== undefined) process.env.SPARK_HOME = sparkHome;
  }
});

test('a server that dies during start-up reports its log and leaves no state behind', async () => {
  await assert.rejects(
    startLocalSpark({ port: await freePort(), stateDir, driverMemory: 'lots' }),
    (err: unknown) => {
      assert.ok(err instanceof LocalSparkError);
      assert.match(err.message, /exited during start-up/);
      assert.match(err.message, /Invalid maximum heap size/);
      assert.equal(err.logFile, join(stateDir, 'connect-server.log'));
      return true;
    },
  );
  assert.deepEqual(await readdir(stateDir), ['connect-server.log']);
  assert.equal((await localSparkStatus({ stateDir })).running, false);
});

test('prep on an unreachable Spark names host and port, says what to do and writes nothing', async () => {
  const port = await freePort();
  const out = join(stateDir, 'features');
  const trace = traceFromRequests([{ time: 0, key: 1, size: 1 }]);
  await assert.rejects(
    prepTrace(trace, { out, sparkRemote: `sc://127.0.0.1:${port}` }, openSparkEngine),
    (err: unknown) => {
      assert.ok(err instanceof SparkUnreachableError);
      assert.equal(err.port, port);
      return true;
    },
  );
  assert.ok(!(await readdir(stateDir)).some((f) => f.includes('features') || f.includes('spark-stage')));

  const csv = tempFile('one.csv', 'time,id,size\n1,a,10\n');
  await assert.rejects(
    smartcache(
      'prep',
      '--trace',
      csv,
      '--out',
      out,
      '--engine',
      'spark',
      '--spark-remote',
      `sc://127.0.0.1:${port}`,
    ),
    (err: { stderr: string }) => {
      assert.match(
        err.stderr,
        new RegExp(`cannot reach a Spark Connect server at sc://127\\.0\\.0\\.1:${port}`),
      );
      assert.match(err.stderr, new RegExp(`smartcache spark start --port ${port}`));
      return true;
    },
  );
});
