import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smartcache, tempPath } from '../helpers.js';

test('serve refuses sizes and timeouts of 0, naming the option, before it starts', async () => {
  for (const [option, expected] of [
    ['--max-upload', /--max-upload <size>' argument '0' is invalid. expected a size of at least 1 byte/],
    ['--max-batch', /--max-batch <size>' argument '0' is invalid/],
    [
      '--request-timeout',
      /--request-timeout <duration>' argument '0' is invalid. expected a duration above 0/,
    ],
    ['--idle-timeout', /--idle-timeout <duration>' argument '0' is invalid/],
  ] as const) {
    await assert.rejects(
      smartcache('serve', '--models', tempPath('m'), option, '0'),
      (err: { stderr: string }) => {
        assert.match(err.stderr, expected);
        assert.doesNotMatch(err.stderr, /bodyLimit/);
        return true;
      },
    );
  }
});
