/** `smartcache plan`: where to put how much cache in a data lake, for a given budget. */
import type { Command } from 'commander';
import { planCapacity } from '../cluster/capacity-plan.js';
import { lakePolicies, readLakeConfig } from '../cluster/config.js';
import { planTable } from '../cluster/lake-table.js';
import { bytesArgument, integer, jobsArgument, valueOption } from './arguments.js';
import { loadPoliciesFor } from './policies.js';
import { progressBar } from './progress.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface PlanCommandOptions extends TraceInputOptions {
  trace: string;
  datalake: string;
  budget: number;
  points: number;
  policy: string;
  jobs?: number;
  json?: boolean;
}

const HELP = `
Each site's byte-hit curve comes from the simulator on its own clients' requests (the policy
of the site's first node, or --policy), at --points sizes halving from the site's unique
bytes. The budget goes to the sites whose next bytes of cache save the most WAN traffic.
The plan and the same budget split evenly are then both replayed over the whole lake (its
distances, placement and churn; churn of nodes the plan removes is dropped), and the table
shows what each saves.

Examples:
  $ smartcache plan --datalake examples/lake.yaml --trace datalake.csv --budget 200TB
  $ smartcache plan --datalake lake.yaml --trace access.jsonl --format xrootd --budget 2PB --json`;

export function register(program: Command): void {
  const cmd = program
    .command('plan')
    .description('split a cache budget over the sites of a data lake by marginal WAN saving')
    .requiredOption('--datalake <lake.yaml>', 'the lake: sites, nodes, distances, schedule')
    .requiredOption('-t, --trace <file>', 'access trace; client sites from its site field or the lake shares')
    .addOption(
      valueOption(
        '--budget <size>',
        'total cache to place, e.g. 500TB or 2PB',
        bytesArgument,
      ).makeOptionMandatory(),
    );
  addTraceInputOptions(cmd)
    .addOption(valueOption('--points <n>', 'simulated sizes per site curve', integer(2, 64), '12'))
    .option('--policy <name>', 'policy for sites without nodes and their planned nodes', 'lru')
    .addOption(valueOption('-j, --jobs <n>', 'worker threads for the curves (default: cores)', jobsArgument))
    .option('--json', 'print the plan, the curves and both replays as JSON')
    .addHelpText('after', HELP)
    .action(runPlan);
}

async function runPlan(opts: PlanCommandOptions): Promise<void> {
  const lake = await readLakeConfig(opts.datalake);
  await loadPoliciesFor(opts.policy, ...lakePolicies(lake));
  const { trace } = await loadTrace(opts.trace, opts);
  const { points } = opts;
  const bar = progressBar('curves', points * trace.length, 'requests');
  const plan = await planCapacity(trace, lake, {
    budget: opts.budget,
    points,
    policy: opts.policy,
    workers: opts.jobs,
    onProgress: (n) => bar.tick(n),
  });
  bar.stop();
  if (opts.json) printJson(plan);
  else process.stdout.write(planTable(plan));
}
