/** `smartcache publish`: upload a trained bundle to a running model service. */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { publishBundle } from '../deploy/publish.js';
import { printJson } from './run.js';

interface PublishCliOptions {
  bundle: string;
  url: string;
  tokenFile?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache train --features features/ --model learned-admit --out bundles/admit
  $ smartcache publish --bundle bundles/admit --url http://127.0.0.1:8083 --token-file admin.token
  $ SMARTCACHE_ADMIN_TOKEN=... smartcache publish --bundle bundles/admit --url http://model:8083/tfaas

Sends the bundle's files as one tar.gz body to the service's POST /bundle (docs/serve.md). The
service stores it as the model's next version and makes it the default; cache nodes asking the
service (--model-url) use it from their next batch on.`;

export function register(program: Command): void {
  program
    .command('publish')
    .description('upload a trained model bundle to a model service (smartcache serve)')
    .requiredOption('-b, --bundle <dir>', 'bundle directory (smartcache train --out)')
    .requiredOption('--url <url>', 'base URL of the model service, with its --base prefix if any')
    .option('--token-file <file>', "file holding the service's admin token (or SMARTCACHE_ADMIN_TOKEN)")
    .option('--json', "print the service's answer as JSON on stdout")
    .addHelpText('after', EXAMPLES)
    .action(runPublish);
}

async function runPublish(opts: PublishCliOptions): Promise<void> {
  const token = opts.tokenFile
    ? (await readFile(opts.tokenFile, 'utf8')).trim()
    : process.env.SMARTCACHE_ADMIN_TOKEN;
  if (!token) throw new InvalidArgumentError('give --token-file or set SMARTCACHE_ADMIN_TOKEN');
  const published = await publishBundle({ bundle: opts.bundle, url: opts.url, token });
  process.stderr.write(
    `published ${published.model} version ${published.version} (${published.engine}) to ${opts.url}\n`,
  );
  if (opts.json) printJson(published);
}
