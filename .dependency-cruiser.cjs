/**
 * The import rule: data flows common -> trace -> sim -> prep/report -> learn -> serve ->
 * cache/cluster -> deploy -> cli, and a layer imports only earlier layers (src/common is
 * open to all). Siblings (prep and report; cache and cluster) do not import each other.
 * `npm run lint` runs it; test/common/import-rule.test.ts proves it catches a bad import.
 */
const LAYERS = [['common'], ['trace'], ['sim'], ['prep', 'report'], ['learn'], ['serve'], ['cache', 'cluster'], ['deploy'], ['cli']];

const flowRules = LAYERS.flatMap((group, rank) =>
  group.map((layer) => {
    const forbidden = LAYERS.slice(rank).flat().filter((other) => other !== layer);
    return {
      name: `flow-${layer}`,
      comment: `src/${layer} may import only earlier layers: not ${forbidden.join(', ')}`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${forbidden.join('|')})/` },
    };
  }),
).filter((rule) => rule.name !== 'flow-cli');

module.exports = {
  forbidden: [
    ...flowRules,
    {
      name: 'no-circular',
      comment: 'modules that import each other, directly or through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '/gen/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
