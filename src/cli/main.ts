#!/usr/bin/env node
/** The smartcache command line: one file per subcommand, registered here. */
import { Command } from 'commander';
import * as convert from './convert.js';
import * as demo from './demo.js';
import * as generate from './generate.js';
import * as inspect from './inspect.js';
import * as prep from './prep.js';
import { runCli } from './run.js';
import * as simulate from './simulate.js';

const program = new Command('smartcache')
  .description('AI-managed cache layer for data lakes: ingest traces, simulate cache policies, report.')
  .version('0.1.0')
  .showHelpAfterError();

const commands: { register(program: Command): void }[] = [demo, generate, inspect, simulate, convert, prep];
for (const command of commands) command.register(program);

await runCli(program, process.argv);
