import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { listenArgument, positiveDurationArgument } from '../../src/cli/arguments.js';

test('listen addresses: host:port, :port and port; anything else, or a port above 65535, is refused', () => {
  assert.deepEqual(listenArgument('0.0.0.0:8083'), { host: '0.0.0.0', port: 8083 });
  assert.deepEqual(listenArgument(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(listenArgument('0'), { host: '127.0.0.1', port: 0 });
  for (const bad of ['localhost', '127.0.0.1:65536', '127.0.0.1:', 'x:-1'])
    assert.throws(() => listenArgument(bad), InvalidArgumentError, bad);
});

test('a positive duration takes units and refuses 0', () => {
  assert.equal(positiveDurationArgument('1500ms'), 1.5);
  assert.equal(positiveDurationArgument('2m'), 120);
  assert.throws(() => positiveDurationArgument('0s'), /expected a duration above 0/);
});
