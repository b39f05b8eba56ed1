/** The import rule of .dependency-cruiser.cjs (run by `npm run lint`) catches imports against the flow. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, tempPath } from '../helpers.js';

const execFileAsync = promisify(execFile);
const depcruise = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Writes a small source tree (path -> imported paths) and returns the rule's violations on it. */
async function violations(tree: Record<string, string[]>): Promise<Violation[]> {
  const root = tempPath('layers');
  for (const [file, imports] of Object.entries(tree)) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((spec, i) => `import { x${i} } from '${spec}';\nexport const y${i} = x${i};`);
    writeFileSync(path, `${lines.join('\n')}\nexport const x = 1;\n`);
  }
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  const run = execFileAsync(
    process.execPath,
    [depcruise, 'src', '--config', join(repoRoot, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd: root, maxBuffer: 16 << 20 },
  );
  // depcruise exits non-zero when it finds errors; its JSON report is on stdout either way
  const { stdout } = await run.catch((err: { stdout: string }) => ({ stdout: err.stdout }));
  return JSON.parse(stdout).summary.violations;
}

const brief = (v: Violation) => `${v.rule.name}: ${v.from} -> ${v.to}`;

test('imports along the flow and of src/common pass', async () => {
  const found = await violations({
    'src/common/units.ts': [],
    'src/trace/model.ts': ['../common/units.js'],
    'src/sim/engine.ts': ['../trace/model.js', '../common/units.js'],
    'src/report/table.ts': ['../sim/engine.js'],
    'src/learn/train.ts': ['../report/table.js', '../sim/engine.js'],
    'src/cli/main.ts': ['../learn/train.js', '../report/table.js'],
  });
  assert.deepEqual(found.map(brief), []);
});

test('an import of a later layer, of a sibling, from src/common, or a cycle fails', async () => {
  const found = await violations({
    'src/common/units.ts': ['../trace/model.js'],
    'src/trace/model.ts': ['../sim/engine.js'],
    'src/sim/engine.ts': [],
    'src/sim/a.ts': ['./b.js'],
    'src/sim/b.ts': ['./a.js'],
    'src/prep/sql.ts': ['../report/table.js'],
    'src/report/table.ts': [],
    'src/serve/app.ts': ['../cli/main.js'],
    'src/cli/main.ts': [],
  });
  assert.deepEqual(found.map(brief).sort(), [
    'flow-common: src/common/units.ts -> src/trace/model.ts',
    'flow-prep: src/prep/sql.ts -> src/report/table.ts',
    'flow-serve: src/serve/app.ts -> src/cli/main.ts',
    'flow-trace: src/trace/model.ts -> src/sim/engine.ts',
    'no-circular: src/sim/a.ts -> src/sim/b.ts',
  ]);
});
