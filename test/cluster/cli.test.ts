import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examples, smartcache, tempFile, tempPath } from '../helpers.js';

test('simulate --datalake prints sites, node lifetimes and churn; --json gives the same totals', async () => {
  const trace = tempPath('lake.csv');
  await smartcache('generate', '--requests', '20000', '--seed', '5', '--out', trace);
  const { stdout } = await smartcache('simulate', '--trace', trace, '--datalake', `${examples}/lake.yaml`);
  assert.match(stdout, /^site\s+requests\s+hit ratio/m);
  assert.match(stdout, /^total\s+20000\s/m);
  assert.match(stdout, /leave pisa-2/);
  const json = JSON.parse(
    (await smartcache('simulate', '--trace', trace, '--datalake', `${examples}/lake.yaml`, '--json')).stdout,
  );
  assert.equal(json.total.requests, 20000);
  assert.ok(
    json.nodes.some((n: { node: string; left?: number }) => n.node === 'pisa-2' && n.left !== undefined),
  );
  assert.ok(json.total.hits > 0 && json.total.hits < 20000);
});

test('a bad lake file fails with its path and field, exit 1', async () => {
  const trace = tempPath('lake2.csv');
  await smartcache('generate', '--requests', '1000', '--seed', '5', '--out', trace);
  const lake = tempFile('bad-lake.yaml', 'sites:\n  - name: A\n    nodes: [{ capacity: lots }]\n');
  await assert.rejects(
    smartcache('simulate', '--trace', trace, '--datalake', lake),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /bad-lake\.yaml: sites\.0\.nodes\.0\.capacity: cannot read "lots" as a size/);
      return true;
    },
  );
});

test('plan splits the budget over the lake sites and compares it with an even split', async () => {
  const trace = tempPath('plan.csv');
  await smartcache('generate', '--requests', '20000', '--seed', '6', '--out', trace);
  const args = ['plan', '--datalake', `${examples}/lake.yaml`, '--trace', trace, '--budget', '3TB'];
  const { stdout } = await smartcache(...args);
  assert.match(stdout, /^site\s+requests\s+curve policy\s+planned\s+WAN saved\s+uniform/m);
  assert.match(stdout, /^T2_IT_Legnaro\s/m);
  assert.match(stdout, /budget 3 TB: WAN from the origin/);
  const plan = JSON.parse((await smartcache(...args, '--json')).stdout);
  const planned = plan.sites.reduce((sum: number, s: { capacity: number }) => sum + s.capacity, 0);
  assert.ok(planned <= 3e12 && planned > 3e12 - plan.sites.length, `planned ${planned}`);
  assert.equal(plan.curves.length, 3);
  assert.equal(plan.planned.total.requests, 20000);
  await assert.rejects(smartcache(...args.slice(0, -1), '0'), (err: { stderr: string }) => {
    assert.match(err.stderr, /budget must be more than 0 bytes/);
    return true;
  });
});
