import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSparkRemote, parseSparkRemote, SparkRemoteError } from '../../../src/prep/spark/remote.js';

test('host and port, with the Spark Connect default port', () => {
  assert.deepEqual(parseSparkRemote('sc://spark.cern.ch:15010'), {
    host: 'spark.cern.ch',
    port: 15010,
    useSsl: false,
  });
  assert.deepEqual(parseSparkRemote('sc://localhost'), { host: 'localhost', port: 15002, useSsl: false });
  assert.deepEqual(parseSparkRemote('sc://[::1]:15002/'), { host: '[::1]', port: 15002, useSsl: false });
});

test('parameters: user, session, token (which implies TLS), and unknown keys ignored', () => {
  const remote = parseSparkRemote(
    'sc://h:1/;user_id=cms;session_id=00112233-4455-6677-8899-aabbccddeeff;token=a%3Db;user_agent=x',
  );
  assert.deepEqual(remote, {
    host: 'h',
    port: 1,
    useSsl: true,
    userId: 'cms',
    sessionId: '00112233-4455-6677-8899-aabbccddeeff',
    token: 'a=b',
  });
  assert.equal(parseSparkRemote('sc://h/;use_ssl=true').useSsl, true);
});

test('malformed remotes are rejected with the expected form', () => {
  for (const bad of ['http://h:1', 'sc://', 'sc://h:99999', 'sc://h:1/;novalue', 'sc://h/;session_id=42']) {
    assert.throws(
      () => parseSparkRemote(bad),
      (err: unknown) => {
        assert.ok(err instanceof SparkRemoteError, bad);
        assert.match(err.message, /expected sc:\/\/host:port/);
        return true;
      },
    );
  }
});

test('the printable form leaves out parameters such as tokens', () => {
  assert.equal(formatSparkRemote(parseSparkRemote('sc://h:7/;token=secret')), 'sc://h:7');
});
