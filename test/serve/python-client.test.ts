/** An independent TFaaS client written in Python (standard library only) drives the service. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadModel } from '../../src/serve/models/load.js';
import type { RunningServer } from '../../src/serve/server.js';
import { repoRoot } from '../helpers.js';
import { FEATURES, tinyBundle } from './bundles.js';
import { ADMIN, start } from './http.js';

const client = path.join(repoRoot, 'test', 'serve', 'tfaas_client.py');
const VALUES = [12, 300, 1, 2, 4, 3600];

describe('a Python TFaaS client peer', () => {
  let server: RunningServer;
  let bundle: string;

  before(async () => {
    server = await start({ maxUploadBytes: 1e6 });
    bundle = await tinyBundle({ name: 'peer' });
  });
  after(() => server.close());

  it('uploads, predicts over /json and /proto, lists and deletes as TFaaS scripts do', async () => {
    const args = [client, server.url, ADMIN, bundle, 'peer', FEATURES.join(','), VALUES.join(',')];
    const { stdout } = await promisify(execFile)('python3', args);
    const answers = JSON.parse(stdout);
    const [score] = (await loadModel(bundle)).predict(Float32Array.from(VALUES), 1);

    assert.deepEqual(answers.upload, [200, { model: 'peer', version: 1, engine: 'dense' }]);
    assert.equal(answers.json[0], 200);
    assert.ok(Math.abs(answers.json[1][0] - score) < 1e-6, `json ${answers.json[1]} vs ${score}`);
    assert.equal(answers.proto[0], 200);
    const labels = answers.proto[1].map((c: { label: string }) => c.label);
    assert.deepEqual(labels, ['evict', 'admit']);
    assert.ok(Math.abs(answers.proto[1][1].probability - score) < 1e-6);
    assert.deepEqual(answers.models, [200, ['peer']]);
    assert.equal(answers.delete[0], 200);
    assert.deepEqual(answers.after, [200, []]);
  });
});
