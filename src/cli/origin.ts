/** `smartcache origin`: an HTTP origin of synthetic files, for the local stack and tests. */
import type { Command } from 'commander';
import { readCatalog, startSyntheticOrigin } from '../deploy/stack/origin-server.js';
import { listenArgument, valueOption } from './arguments.js';
import { closeOnSignals } from './run.js';

interface OriginCliOptions {
  catalog: string;
  listen: { host: string; port: number };
}

const EXAMPLES = `
Examples:
  $ echo '{"files": {"/store/a.root": 1048576, "/store/b.root": 65536}}' > catalog.json
  $ smartcache origin --catalog catalog.json --listen 127.0.0.1:8080
  $ smartcache cache --origin http://127.0.0.1:8080 --dir cache/ --capacity 1GB --site T2_IT_Pisa

Serves every file of the catalogue (path -> size in bytes) by GET and HEAD, whole or one
range, with ETag and Last-Modified; a file's bytes are derived from its path (AES-CTR keyed
by its hash), the same on every run, and never stored. GET /healthz answers {"status":"ok"}.
\`smartcache up\` runs it over a generated workload's files (docs/deploy.md, "Local stack").`;

export function register(program: Command): void {
  program
    .command('origin')
    .description('serve synthetic files of a catalogue over HTTP (an origin for the local stack and tests)')
    .requiredOption(
      '--catalog <file>',
      'JSON {"files": {PATH: SIZE, ...}}: the files and their sizes in bytes',
    )
    .addOption(
      valueOption('-l, --listen <host:port>', 'address to listen on', listenArgument, '127.0.0.1:8080'),
    )
    .addHelpText('after', EXAMPLES)
    .action(runOrigin);
}

async function runOrigin(opts: OriginCliOptions): Promise<void> {
  const files = await readCatalog(opts.catalog);
  const origin = await startSyntheticOrigin(files, opts.listen.host, opts.listen.port);
  process.stderr.write(`origin listening on ${origin.url} (${files.size} files)\n`);
  closeOnSignals(() => origin.close());
}
