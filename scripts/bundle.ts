/**
 * Bundles the compiled command line into dist/bin for start-up time: Node.js resolves,
 * reads and links each ES module on its own, and a short `smartcache simulate` spent more
 * time loading about a hundred small modules than replaying the trace. Run by `npm run build`
 * after tsc; the package's `bin` is dist/bin/smartcache.js.
 *
 * Commands still load on demand (code splitting: each lazily imported command is its own
 * chunk). The simulator's worker is a second entry, beside the chunks, where
 * `new URL('./worker.js', import.meta.url)` finds it. Packages stay in node_modules (native
 * bindings, wasm files and their own file lookups must keep their layout) except the CLI
 * framework, which every command loads. That framework requires node:child_process at load
 * for commands run as separate executables, which smartcache has none of; in the bundle it
 * gets that module on first use instead, as loading it (with node:net and node:dgram)
 * cost a short run about 7 ms.
 */
import { rmSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';

const INLINED_PACKAGES = new Set(['commander']);

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const packagesStayExternal: Plugin = {
  name: 'packages-stay-external',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, (args) =>
      INLINED_PACKAGES.has(packageName(args.path)) ? undefined : { path: args.path, external: true },
    );
  },
};

const lazyChildProcess: Plugin = {
  name: 'lazy-child-process',
  setup(bundler) {
    bundler.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/')
        ? { path: 'child_process', namespace: 'lazy-builtin' }
        : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

// chunks are named by content hash: a new build would leave the old ones beside it
rmSync('dist/bin', { recursive: true, force: true });
await build({
  entryPoints: { smartcache: 'dist/src/cli/main.js', worker: 'dist/src/sim/worker.js' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  plugins: [lazyChildProcess, packagesStayExternal],
  // commander is CommonJS: its require() of Node's own modules needs a require in ES module scope
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
