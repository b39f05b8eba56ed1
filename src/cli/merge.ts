/** `smartcache merge`: the parts of a sharded sweep (`simulate --shard`) as the outputs of one run. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { mergeLake } from '../cluster/lake-shard.js';
import { lakeTable } from '../cluster/lake-table.js';
import { writeFileAtomic } from '../common/atomic.js';
import type { FileIdentity } from '../common/file-identity.js';
import { jsonText } from '../common/json.js';
import { resultsTable } from '../report/table.js';
import { checkParts, mergeSimulation, readPart } from '../sim/shard.js';
import { writeLakeReports, writeReports } from './outputs.js';

interface MergeOptions {
  out: string;
  png?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache merge parts/*.json --out merged/
  $ smartcache merge /parts/sweep --out /parts/sweep/merged --png --json   # every *.json in the folder

The parts are the files of \`smartcache simulate ... --shard I/N --part FILE\`, one per shard
(in Kubernetes, one per index of the Indexed Job). merge refuses parts of different traces
(size and sha256) or grids (policies, sizes, settings, lake file), a shard given twice and
missing shards (it names their indexes), and writes into --out what the unsharded command
would have written:
  table.txt     the table simulate prints
  results.json  what simulate --json prints
  report.html   simulate --out
  windows.csv   simulate --csv
  plots/        simulate --png (with --png)
It prints the table (or, with --json, the JSON) as simulate does. Details: docs/simulator.md.`;

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge the parts of a sharded simulate sweep into the outputs of one run')
    .argument('<parts...>', 'part files written by simulate --shard I/N --part FILE, or folders of them')
    .requiredOption('-o, --out <dir>', 'folder for table.txt, results.json, report.html, windows.csv')
    .option('--png', 'also write the plots as PNG images into DIR/plots')
    .option('--json', 'print the results as JSON instead of the table')
    .addHelpText('after', EXAMPLES)
    .action(runMerge);
}

/** The part files named: a file as given, a folder as the `*.json` files in it. */
async function partFiles(args: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    if (!(await stat(arg)).isDirectory()) files.push(arg);
    else {
      const names = (await readdir(arg)).filter((name) => name.endsWith('.json')).sort();
      files.push(...names.map((name) => path.join(arg, name)));
    }
  }
  return files;
}

async function runMerge(args: string[], opts: MergeOptions): Promise<void> {
  const files = await partFiles(args);
  const parts = checkParts(
    await Promise.all(files.map(async (file) => ({ file, part: await readPart(file) }))),
  );
  const [first] = parts;
  const name = path.basename(first.trace.path);
  const outputs = {
    out: path.join(opts.out, 'report.html'),
    csv: path.join(opts.out, 'windows.csv'),
    png: opts.png ? path.join(opts.out, 'plots') : undefined,
  };
  let table: string;
  let json: string;
  if (first.kind === 'datalake') {
    const result = mergeLake(parts);
    [table, json] = [lakeTable(result), `${jsonText(result)}\n`];
    const lake = (first.grid.settings.lake as FileIdentity).path;
    await writeLakeReports(result, outputs, {
      title: `smartcache data lake: ${path.basename(lake)}`,
      trace: name,
      lake,
      generatedAt: new Date(),
      command: first.command,
    });
  } else {
    const results = mergeSimulation(parts);
    [table, json] = [`${resultsTable(results)}\n`, `${jsonText(results)}\n`];
    const { requests, objects, uniqueBytes, span } = first.trace;
    await writeReports(results, { name, requests, objects, uniqueBytes, span }, outputs, {
      title: `smartcache: ${name}`,
      command: first.command,
    });
  }
  await writeFileAtomic(path.join(opts.out, 'table.txt'), table);
  await writeFileAtomic(path.join(opts.out, 'results.json'), json);
  process.stdout.write(opts.json ? json : table);
  process.stderr.write(`merged ${parts.length} parts into ${opts.out}\n`);
}
