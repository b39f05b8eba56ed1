/** The column table of docs/prep.md, generated from the schema (a test keeps the doc current). */
import { COLUMNS } from './schema.js';

export function columnTable(): string {
  const lines = ['| column | type | role | nullable | definition |', '|---|---|---|---|---|'];
  for (const c of COLUMNS) {
    const nullable = c.nullable ? 'yes' : 'no';
    const needs = c.requires ? ` (NULL for inputs without ${c.requires})` : '';
    lines.push(
      `| \`${c.name}\` | ${c.type} | ${c.role} | ${nullable} | ${c.description.replaceAll('|', '\\|')}${needs} |`,
    );
  }
  return lines.join('\n');
}
