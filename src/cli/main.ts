#!/usr/bin/env node
/** The smartcache command line: one file per subcommand, registered here. */
import { Command } from 'commander';
import { runCli } from './run.js';
import * as spark from './spark.js';

const program = new Command('smartcache')
  .description('AI-managed cache layer for data lakes: ingest traces, simulate cache policies, report.')
  .version('0.1.0')
  .showHelpAfterError();

const commands: { register(program: Command): void }[] = [spark];
for (const command of commands) command.register(program);

await runCli(program, process.argv);
