import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { lakeConfig } from '../../src/cluster/config.js';
import { examples, repoRoot, smartcache, tempPath } from '../helpers.js';
import { checkManifests, type Manifest } from './kube-schema.js';

const execFileAsync = promisify(execFile);
const chart = join(repoRoot, 'deploy', 'helm', 'smartcache');
const ciValues = readdirSync(join(chart, 'ci')).filter((name) => name.endsWith('.yaml'));
// .ci/run installs it here (GOBIN=$HOME/.cache/smartcache/bin go install helm.sh/helm/v3/cmd/helm@v3.16.4)
const helm = join(homedir(), '.cache', 'smartcache', 'bin', 'helm');
const skip = existsSync(helm)
  ? false
  : `no helm at ${helm}: install it with GOBIN=$HOME/.cache/smartcache/bin go install helm.sh/helm/v3/cmd/helm@v3.16.4 (.ci/run does)`;
// the Kubernetes version whose API kubernetes-models 4.5.1 describes
const KUBE_VERSION = '1.30.0';

async function render(chartDir: string, ...args: string[]): Promise<Manifest[]> {
  const { stdout } = await execFileAsync(
    helm,
    ['template', 'sc', chartDir, '--namespace', 'smartcache', '--kube-version', KUBE_VERSION, ...args],
    { maxBuffer: 16 << 20 },
  );
  return parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

type Labels = Record<string, string>;
interface PodTemplate {
  metadata: { labels: Labels };
  spec: {
    terminationGracePeriodSeconds?: number;
    affinity?: {
      podAntiAffinity?: Record<
        string,
        {
          labelSelector?: { matchLabels: Labels };
          podAffinityTerm?: { labelSelector: { matchLabels: Labels } };
        }[]
      >;
    };
    containers: Container[];
    initContainers?: Container[];
  };
}
interface Container {
  name: string;
  args?: string[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string }; fieldRef?: { fieldPath: string } } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec: { command: string[] } } };
  resources?: { requests?: Record<string, string> };
}

const matches = (selector: Labels, labels: Labels) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

function podTemplates(manifests: Manifest[]): { owner: string; template: PodTemplate }[] {
  return manifests.flatMap((m) => {
    const spec = m.spec as { template?: PodTemplate; jobTemplate?: { spec: { template: PodTemplate } } };
    const template = spec?.template ?? spec?.jobTemplate?.spec.template;
    return template ? [{ owner: `${m.kind}/${m.metadata?.name}`, template }] : [];
  });
}

interface SweepValues {
  enabled?: boolean;
  name: string;
  dataClaim: string;
  partsClaim: string;
  trace: string;
  datalake?: string;
  shards: number;
  parallelism: number;
}
interface SweepJobSpec {
  completionMode: string;
  completions: number;
  parallelism: number;
  template: {
    spec: {
      restartPolicy: string;
      containers: (Container & { volumeMounts: { name: string; mountPath: string }[] })[];
      volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
    };
  };
}

/** A ci values file, with the chart's defaults of the sweep under it. */
function readValues(values: string): { sweep?: SweepValues } {
  const defaults = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as { sweep: SweepValues };
  const given = parse(readFileSync(join(chart, 'ci', values), 'utf8')) as { sweep?: Partial<SweepValues> };
  return { sweep: given.sweep && { ...defaults.sweep, ...given.sweep } };
}

const argValue = (args: string[], option: string) =>
  args.find((arg) => arg.startsWith(`${option}=`))?.slice(option.length + 1);

describe('the Helm chart', { skip, timeout: 300_000 }, () => {
  it('passes helm lint --strict with every values file under ci/', async () => {
    for (const values of ciValues) {
      const { stdout } = await execFileAsync(helm, [
        'lint',
        '--strict',
        chart,
        '-f',
        join(chart, 'ci', values),
      ]);
      assert.match(stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/, values);
    }
  });

  for (const values of ciValues) {
    it(`renders ${values} into manifests that hold together`, async () => {
      const manifests = await render(chart, '-f', join(chart, 'ci', values));
      assert.deepEqual(await checkManifests(manifests), [], 'every manifest valid, no unknown field');
      const templates = podTemplates(manifests);
      const allLabels = templates.map((t) => t.template.metadata.labels);

      for (const m of manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'StatefulSet')) {
        const spec = m.spec as { selector: { matchLabels: Labels }; template: PodTemplate };
        assert.ok(
          matches(spec.selector.matchLabels, spec.template.metadata.labels),
          `${m.metadata?.name} selects its pods`,
        );
      }
      for (const { owner, template } of templates) {
        const antiAffinity = template.spec.affinity?.podAntiAffinity ?? {};
        for (const term of Object.values(antiAffinity).flat()) {
          const selector = (term.podAffinityTerm ?? term).labelSelector?.matchLabels ?? {};
          assert.ok(Object.keys(selector).length > 0, `${owner}: anti-affinity selects something`);
          assert.ok(
            matches(selector, template.metadata.labels),
            `${owner}: anti-affinity selects its own pods`,
          );
        }
        for (const container of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
          assert.ok(
            container.resources?.requests?.cpu && container.resources.requests.memory,
            `${owner}/${container.name}: requests`,
          );
        }
      }
      for (const m of manifests.filter((m) => m.kind === 'Service')) {
        const selector = (m.spec as { selector: Labels }).selector;
        assert.ok(
          allLabels.some((labels) => matches(selector, labels)),
          `Service ${m.metadata?.name} selects pods`,
        );
      }
      for (const m of manifests.filter((m) => m.kind === 'NetworkPolicy')) {
        const spec = m.spec as {
          podSelector: { matchLabels: Labels };
          ingress: { from?: { podSelector?: { matchLabels: Labels } }[] }[];
        };
        assert.ok(
          allLabels.some((labels) => matches(spec.podSelector.matchLabels, labels)),
          `${m.metadata?.name} applies to pods`,
        );
        for (const peer of spec.ingress.flatMap((rule) => rule.from ?? [])) {
          if (peer.podSelector === undefined) continue;
          const selector = peer.podSelector.matchLabels;
          assert.ok(
            allLabels.some((labels) => matches(selector, labels)),
            `${m.metadata?.name} admits pods that exist`,
          );
        }
      }

      const cacheSets = manifests.filter((m) => m.kind === 'StatefulSet');
      assert.ok(cacheSets.length > 0);
      for (const m of cacheSets) {
        const spec = m.spec as { template: PodTemplate; volumeClaimTemplates: unknown[] };
        const [node] = spec.template.spec.containers;
        const args = node.args ?? [];
        assert.equal(args[0], 'cache');
        assert.equal(
          argValue(args, '--site'),
          spec.template.metadata.labels['smartcache/site'],
          'the site label is --site',
        );
        assert.equal(node.readinessProbe?.httpGet?.path, '/readyz');
        assert.equal(node.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(spec.volumeClaimTemplates.length, 1);
        const hook = node.lifecycle?.preStop?.exec.command.join(' ') ?? '';
        assert.match(hook, /kill -TERM 1; while kill -0 1/, 'the hook drains the node and waits for it');
        const delay = Number(/sleep (\d+);/.exec(hook)?.[1]);
        assert.ok(
          (spec.template.spec.terminationGracePeriodSeconds ?? 30) > delay + 60,
          'time to finish transfers',
        );
      }

      const lake = manifests.find(
        (m) => m.kind === 'ConfigMap' && String(m.metadata?.name).endsWith('-lake'),
      );
      if (lake !== undefined) {
        const config = lakeConfig(parse((lake.data as { 'lake.yaml': string })['lake.yaml']), 'lake.yaml');
        const sites = cacheSets.map(
          (m) => (m.spec as { template: PodTemplate }).template.metadata.labels['smartcache/site'],
        );
        for (const site of sites)
          assert.ok(
            config.sites.some((s) => s.name === site),
            `the redirector knows ${site}`,
          );
      }

      const secrets = new Set(manifests.filter((m) => m.kind === 'Secret').map((m) => m.metadata?.name));
      const given = parse(readFileSync(join(chart, 'ci', values), 'utf8')) as {
        adminToken?: { existingSecret?: string };
      };
      for (const { owner, template } of templates) {
        for (const container of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
          for (const env of container.env ?? []) {
            const name = env.valueFrom?.secretKeyRef?.name;
            if (name === undefined) continue;
            assert.ok(
              secrets.has(name) || name === given.adminToken?.existingSecret,
              `${owner}: Secret ${name} exists`,
            );
          }
        }
      }
    });
  }

  const sweeps = ciValues.filter((values) => readValues(values).sweep?.enabled);
  it('has ci values with a sweep of each kind', () => {
    assert.deepEqual(
      sweeps.map((values) => (readValues(values).sweep?.datalake ? 'datalake' : 'grid')).sort(),
      ['datalake', 'grid'],
    );
  });
  for (const values of sweeps) {
    it(`renders the sweep of ${values} as an Indexed Job whose indexes, run as the kubelet would, write the parts merge joins`, async () => {
      const sweep = readValues(values).sweep as SweepValues;
      const jobs = (await render(chart, '-f', join(chart, 'ci', values))).filter((m) => m.kind === 'Job');
      assert.equal(jobs.length, 1);
      const spec = jobs[0].spec as SweepJobSpec;
      assert.equal(spec.completionMode, 'Indexed');
      assert.equal(spec.completions, sweep.shards);
      assert.equal(spec.parallelism, sweep.parallelism);
      assert.equal(spec.template.spec.restartPolicy, 'Never');
      const [shard] = spec.template.spec.containers;
      const index = shard.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
      assert.equal(
        index?.valueFrom?.fieldRef?.fieldPath,
        "metadata.annotations['batch.kubernetes.io/job-completion-index']",
      );
      const claims = Object.fromEntries(
        spec.template.spec.volumes.map((v) => [v.name, v.persistentVolumeClaim?.claimName]),
      );
      const mounts = Object.fromEntries(shard.volumeMounts.map((m) => [m.mountPath, claims[m.name]]));
      assert.equal(mounts['/data'], sweep.dataClaim);
      assert.equal(mounts['/parts'], sweep.partsClaim);

      // the claims as scratch folders, the trace (and lake file) the values name on the data one
      const root = tempPath('sweep');
      const local = (path: string) => path.replace(/^\/(data|parts)\//, `${root}/$1/`);
      mkdirSync(join(root, 'data'), { recursive: true });
      await smartcache('generate', '--requests', '5000', '--seed', '3', '--out', local(sweep.trace));
      if (sweep.datalake) copyFileSync(join(examples, 'lake.yaml'), local(sweep.datalake));
      for (let i = 0; i < spec.completions; i++) {
        const args = (shard.args ?? []).map((arg) =>
          arg
            .replaceAll('$(JOB_COMPLETION_INDEX)', String(i))
            .replace(/^(--[a-z]+=)(\/.*)$/, (_, flag, path) => flag + local(path)),
        );
        await smartcache(...args);
      }
      const merged = await smartcache('merge', `${root}/parts/${sweep.name}`, '--out', `${root}/merged`);
      assert.match(merged.stderr, new RegExp(`merged ${spec.completions} parts`));
      assert.match(merged.stdout, sweep.datalake ? /^total\s+5000\s/m : /^policy\s+cache size/m);
    });
  }

  it('refuses a chart whose manifest has an unknown field and a wrong type', async () => {
    const broken = tempPath('broken-chart');
    cpSync(chart, broken, { recursive: true });
    writeFileSync(
      join(broken, 'templates', 'broken.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: broken',
        'spec:',
        '  replicas: "two"',
        '  selector: {matchLabels: {app: broken}}',
        '  template:',
        '    metadata: {labels: {app: broken}}',
        '    spec:',
        '      containers:',
        '        - name: c',
        '          image: smartcache',
        '          imagePullPolcy: Always',
        '',
      ].join('\n'),
    );
    const problems = await checkManifests(
      await render(broken, '-f', join(chart, 'ci', 'minimal-values.yaml')),
    );
    const paths = problems
      .filter((p) => p.manifest === 'Deployment/broken')
      .map((p) => `${p.path}: ${p.message}`);
    assert.ok(paths.includes('spec.replicas: must be a number, not a string'), paths.join('\n'));
    assert.ok(
      paths.includes('spec.template.spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy"'),
      paths.join('\n'),
    );
    assert.ok(
      problems.every((p) => p.manifest === 'Deployment/broken'),
      'the chart itself stays valid',
    );
  });

  it('refuses values the schema does not know, or of the wrong type', async () => {
    await assert.rejects(render(chart, '--set', 'cache.sitez=1'), /sitez/);
    await assert.rejects(render(chart, '--set', 'cache.drain.timeoutSeconds=soon'), /timeoutSeconds/);
    await assert.rejects(render(chart, '--set', 'cache.antiAffinity=always'), /antiAffinity/);
    await assert.rejects(render(chart, '--set', 'sweep.shards=0'), /shards/);
    const sweep = ['sweep.enabled=true', 'sweep.dataClaim=d', 'sweep.partsClaim=p', 'sweep.shards=2'];
    await assert.rejects(
      render(chart, '--set', [...sweep, 'sweep.parallelism=3'].join(',')),
      /sweep.parallelism is more than sweep.shards/,
    );
    await assert.rejects(render(chart, '--set', 'sweep.enabled=true,sweep.dataClaim=d'), /sweep.partsClaim/);
  });

  it('documents every value in the chart README', () => {
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8'));
    interface SchemaNode {
      properties?: Record<string, SchemaNode>;
      additionalProperties?: unknown;
    }
    // a value is a leaf unless the schema lists its fields (free-form objects are documented whole)
    const leaves = (value: unknown, node: SchemaNode, path: string[]): string[][] =>
      node.properties && node.additionalProperties === false && value !== null && typeof value === 'object'
        ? Object.entries(value).flatMap(([key, child]) =>
            leaves(child, (node.properties as Record<string, SchemaNode>)[key] ?? {}, [...path, key]),
          )
        : [path];
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8'));
    for (const path of leaves(values, schema, [])) {
      const key = path.at(-1) as string;
      assert.ok(new RegExp(`\`[^\`]*\\b${key}\\b[^\`]*\``).test(readme), `${path.join('.')} is documented`);
    }
  });
});
