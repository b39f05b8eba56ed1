#!/usr/bin/env node
/** The smartcache command line: one file per subcommand, registered here. */
import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { loadLearnedPolicies } from './policies.js';
import { runCli } from './run.js';

type CommandModule = { register(program: Command): void };

/** Command files load on demand so that a short run does not pay for every command's imports. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  demo: () => import('./demo.js'),
  generate: () => import('./generate.js'),
  inspect: () => import('./inspect.js'),
  simulate: () => import('./simulate.js'),
  merge: () => import('./merge.js'),
  prep: () => import('./prep.js'),
  convert: () => import('./convert.js'),
  spark: () => import('./spark.js'),
  serve: () => import('./serve.js'),
  train: () => import('./train.js'),
  evaluate: () => import('./evaluate.js'),
  redirector: () => import('./redirector.js'),
  cluster: () => import('./cluster.js'),
  get: () => import('./get.js'),
  plan: () => import('./plan.js'),
  cache: () => import('./cache.js'),
  publish: () => import('./publish.js'),
  dashboard: () => import('./dashboard.js'),
  origin: () => import('./origin.js'),
  up: () => import('./up.js'),
  down: () => import('./down.js'),
  status: () => import('./status.js'),
};

const program = new Command('smartcache')
  .description('AI-managed cache layer for data lakes: ingest traces, simulate cache policies, report.')
  .version(VERSION)
  .showHelpAfterError("(add --help for the command's options)");

const requested = process.argv[2];
// help lists every policy with its parameters, the learned ones too
if (requested === 'help' || process.argv.includes('--help') || process.argv.includes('-h')) {
  await loadLearnedPolicies();
}
// --version needs no command; anything else that names none lists them all
const asksVersion = requested === '--version' || requested === '-V';
const names =
  requested !== undefined && requested in COMMANDS ? [requested] : asksVersion ? [] : Object.keys(COMMANDS);
for (const name of names) (await COMMANDS[name]()).register(program);

await runCli(program, process.argv);
