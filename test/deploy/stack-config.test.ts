import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fieldPath, readStackConfig, StackConfigError, stackConfig } from '../../src/deploy/stack/config.js';
import { examples, smartcache, tempFile } from '../helpers.js';

const base = () => ({
  origin: { generated: { requests: 100 } },
  sites: [
    { name: 'T2_IT_Pisa', nodes: [{ capacity: '1GB' }, { capacity: '2GB', policy: 's3fifo', weight: 2 }] },
    { name: 'T2_IT_Bari', nodes: [{ capacity: 1e9 }] },
  ],
});

function fails(raw: unknown, message: string, field?: string): void {
  assert.throws(
    () => stackConfig(raw, 'stack.yaml', '/srv/stack'),
    (err: unknown) => {
      assert.ok(err instanceof StackConfigError, String(err));
      assert.equal(err.message, message);
      if (field !== undefined) assert.equal(err.field, field);
      return true;
    },
  );
}

describe('stack.yaml', () => {
  it('reads the example stack: two sites, three nodes, a generated origin, load, loop and dashboard', async () => {
    const config = await readStackConfig(join(examples, 'stack.yaml'), '/srv/here');
    assert.equal(config.dir, '/srv/here');
    assert.deepEqual(
      config.sites.map((s) => s.nodes.map((n) => n.id)),
      [['T2_IT_Pisa-1', 'T2_IT_Pisa-2'], ['T2_IT_Bari-1']],
    );
    assert.equal(config.sites[0].nodes[1].capacity, 512e6);
    assert.equal(config.sites[0].nodes[1].weight, 2);
    assert.equal(config.origin.kind, 'generated');
    assert.equal(config.load?.rate, 20);
    assert.equal(config.loop?.window, 60);
    assert.equal(config.loop?.interval, 120);
    assert.deepEqual(config.dashboard, { host: '127.0.0.1', port: 0, interval: 2, points: 300 });
  });

  it('fills in defaults', () => {
    const config = stackConfig(base(), 'stack.yaml', '/srv/stack');
    assert.deepEqual(config.origin, {
      kind: 'generated',
      requests: 100,
      seed: 1,
      medianFileSize: 256e3,
      port: 0,
    });
    assert.deepEqual(config.redirector, { port: 0, heartbeatTimeout: 3 });
    assert.equal(config.sites[0].nodes[0].policy, 'lru');
    assert.equal(config.stopTimeout, 10);
    assert.equal(config.load, undefined);
    assert.equal(config.loop, undefined);
    assert.equal(config.dashboard, undefined);
    assert.deepEqual(stackConfig({ ...base(), dashboard: {} }, 'stack.yaml', '/srv/stack').dashboard, {
      host: '127.0.0.1',
      port: 0,
      interval: 2,
      points: 300,
    });
  });

  it('reads the dashboard key: a listen address as --listen takes it, the interval and points', () => {
    const dashboard = (value: unknown) =>
      stackConfig({ ...base(), dashboard: value }, 'stack.yaml', '/srv/stack').dashboard;
    assert.deepEqual(dashboard({ listen: '0.0.0.0:8095', interval: '500ms', points: 50 }), {
      host: '0.0.0.0',
      port: 8095,
      interval: 0.5,
      points: 50,
    });
    assert.deepEqual(dashboard({ listen: 8095 }), {
      host: '127.0.0.1',
      port: 8095,
      interval: 2,
      points: 300,
    });
    assert.equal(dashboard({ listen: ':8096' })?.port, 8096);
    for (const listen of ['127.0.0.1:70000', 'localhost', 'a b:80', '127.0.0.1:-1']) {
      fails(
        { ...base(), dashboard: { listen } },
        'stack.yaml: dashboard.listen: must be host:port, like 127.0.0.1:8095',
        'dashboard.listen',
      );
    }
    fails(
      { ...base(), dashboard: { interval: 'often' } },
      'stack.yaml: dashboard.interval: must be a duration like 30s',
    );
    fails(
      { ...base(), dashboard: { points: 1 } },
      'stack.yaml: dashboard.points: must be >= 2',
      'dashboard.points',
    );
    fails({ ...base(), dashboard: { port: 8095 } }, 'stack.yaml: dashboard.port: unknown field');
  });

  it('names the field and the reason of a bad size, duration or size list', () => {
    const raw = base();
    raw.sites[0].nodes[1].capacity = 'ten gigs';
    fails(
      raw,
      'stack.yaml: sites[0].nodes[1].capacity: must be a size like 10GB',
      'sites[0].nodes[1].capacity',
    );
    fails({ ...base(), loop: { window: 'soon' } }, 'stack.yaml: loop.window: must be a duration like 30s');
    fails({ ...base(), stopTimeout: 0 }, 'stack.yaml: stopTimeout: must be a duration above 0, like 30s');
    fails(
      { ...base(), loop: { sizes: '0.1,1.5' } },
      'stack.yaml: loop.sizes: 1.5: a fraction of the unique bytes must be in (0, 1]',
    );
  });

  it('refuses unknown fields, naming them', () => {
    fails({ ...base(), dashbord: {} }, 'stack.yaml: dashbord: unknown field');
    const raw = base() as { sites: { nodes: Record<string, unknown>[] }[] };
    raw.sites[1].nodes[0].capacityy = '1GB';
    fails(raw, 'stack.yaml: sites[1].nodes[0].capacityy: unknown field');
  });

  it('says which required field is missing and which value has the wrong type', () => {
    fails({ sites: base().sites }, 'stack.yaml: origin: is required');
    fails(
      { ...base(), sites: [{ name: 'T2_IT_Pisa', nodes: [{}] }] },
      'stack.yaml: sites[0].nodes[0].capacity: is required',
    );
    fails({ ...base(), load: { requests: 'many' } }, 'stack.yaml: load.requests: must be integer');
    fails({ ...base(), sites: [] }, 'stack.yaml: sites: must NOT have fewer than 1 items');
    fails(
      { ...base(), origin: { url: 'ftp://x' } },
      'stack.yaml: origin.url: must be an http:// or https:// URL',
    );
  });

  it('checks what the schema cannot: one origin, distinct sites, a load over a generated origin', () => {
    fails(
      { ...base(), origin: { url: 'http://o:8080', generated: {} } },
      'stack.yaml: origin: give exactly one of url and generated',
    );
    const twice = base();
    twice.sites[1].name = 'T2_IT_Pisa';
    fails(twice, 'stack.yaml: sites[1].name: site T2_IT_Pisa appears twice');
    fails(
      { ...base(), origin: { url: 'http://o:8080' }, load: { requests: 10 } },
      "stack.yaml: load: needs origin.generated: the load requests the generated workload's files",
    );
  });

  it('reports a file that is not YAML, as the file was named', async () => {
    const file = tempFile('bad-stack.yaml', 'sites: [unclosed\n');
    await assert.rejects(readStackConfig(file), (err: Error) => {
      assert.match(err.message, new RegExp(`^${file}: \\(top level\\): not valid YAML`));
      return true;
    });
  });

  it('up and origin teach with examples in --help', async () => {
    for (const command of ['up', 'origin']) {
      const { stdout } = await smartcache(command, '--help');
      assert.match(stdout, new RegExp(`Examples:\\n(  \\$ .*\\n)*  \\$ smartcache ${command} `), command);
    }
  });

  it('up names the bad field before anything starts', async () => {
    const file = tempFile(
      'stack.yaml',
      'origin: { url: http://127.0.0.1:9 }\nsites: [{ name: A, nodes: [{ capacity: lots }] }]\n',
    );
    await assert.rejects(smartcache('up', '-f', file), (err: { stderr: string }) => {
      assert.equal(err.stderr, `smartcache: ${file}: sites[0].nodes[0].capacity: must be a size like 10GB\n`);
      return true;
    });
  });

  it('writes JSON pointers as field paths', () => {
    assert.equal(fieldPath('/sites/1/nodes/0/capacity'), 'sites[1].nodes[0].capacity');
    assert.equal(fieldPath(''), '');
    assert.equal(fieldPath('/a~1b/0'), 'a/b[0]');
  });
});
