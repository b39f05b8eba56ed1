/** The parameter table of docs/policies.md, generated from the declarations (a test keeps the doc current). */
import { typeText } from './params.js';
import type { PolicySpec } from './policy.js';

export function paramTable(specs: readonly PolicySpec[]): string {
  const lines = ['| policy | parameter | type | default | meaning |', '|---|---|---|---|---|'];
  for (const spec of specs) {
    for (const [key, decl] of Object.entries(spec.params ?? {})) {
      const value = decl.default === undefined ? '' : `\`${decl.default}\``;
      lines.push(
        `| ${spec.name} | \`${key}\` | ${typeText(decl)} | ${value} | ${decl.doc.replaceAll('|', '\\|')} |`,
      );
    }
  }
  return lines.join('\n');
}
