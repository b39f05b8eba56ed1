/** Local server lifecycle: start, status, a second start refused, stop, status. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SparkConnectClient } from '../../../src/prep/spark/connect.js';
import { SparkUnreachableError } from '../../../src/prep/spark/errors.js';
import {
  LocalSparkError,
  localSparkStatus,
  startLocalSpark,
  stopLocalSpark,
} from '../../../src/prep/spark/local-server.js';
import { startTestSpark } from './local-spark.js';

test('start, status, refuse a second start, stop', async () => {
  const spark = await startTestSpark();
  const { server, stateDir } = spark;
  try {
    assert.equal(server.remote, `sc://127.0.0.1:${server.port}`);
    assert.deepEqual(await localSparkStatus({ stateDir }), { running: true, server, stateDir });
    await assert.rejects(
      startLocalSpark({ port: server.port, stateDir }),
      (err: unknown) => err instanceof LocalSparkError && /already running/.test(err.message),
    );

    assert.deepEqual(await stopLocalSpark({ stateDir }), server);
    assert.deepEqual(await localSparkStatus({ stateDir }), { running: false, stateDir });
    assert.equal(await stopLocalSpark({ stateDir }), undefined, 'stopping twice is harmless');
    await assert.rejects(SparkConnectClient.connect(server.remote), SparkUnreachableError);
  } finally {
    await spark.stop();
  }
});
