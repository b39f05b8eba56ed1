import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { columnTable } from '../../src/prep/doc.js';
import { COLUMNS } from '../../src/prep/schema.js';
import { repoRoot } from '../helpers.js';

test('docs/prep.md holds the column table generated from the schema', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'prep.md'), 'utf8');
  assert.ok(
    doc.includes(columnTable()),
    `docs/prep.md is out of date; replace its column table with:\n${columnTable()}`,
  );
  for (const column of COLUMNS) assert.ok(doc.includes(`\`${column.name}\``), column.name);
});
