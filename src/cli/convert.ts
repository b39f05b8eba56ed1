/** `smartcache convert`: reads a trace in one format and writes it in another. */
import { type Command, Option } from 'commander';
import { type FormatName, formatList } from '../trace/formats/index.js';
import { writeTrace } from '../trace/write.js';
import { addTraceInputOptions, formatArgument, loadTrace, type TraceInputOptions } from './trace-options.js';

interface ConvertOptions extends TraceInputOptions {
  to?: FormatName;
}

const EXAMPLES = `
Formats:
${formatList()}

Input may be gzip- or zstd-compressed (detected from the content). Output is gzip-compressed
when OUT ends in .gz. The input format is detected when it is safe; otherwise pass --from.

Examples:
  smartcache convert examples/cms-sample.csv out/cms.bin
  smartcache convert examples/xrootd-sample.jsonl out/requests.csv.gz
  smartcache convert examples/mapped.csv out/mapped.csv --map time=ts,id=lfn,size=bytes,site=site
  smartcache convert trace.csv out/trace.oracleGeneral --from libcachesim-csv \\
      --csv-params "time-col=2, obj-id-col=5, obj-size-col=4, has-header=true, obj-id-is-num=true"
  smartcache convert jobs.csv.gz out/jobs.jsonl --only-successful --skip-bad 10
`;

export function register(program: Command): void {
  const cmd = program
    .command('convert')
    .description('convert a trace between formats')
    .argument('<in>', 'input trace')
    .argument('<out>', 'output trace (written atomically)');
  addTraceInputOptions(cmd, '--from <format>')
    .addOption(
      new Option('--to <format>', "output format (default: from OUT's extension)").argParser(formatArgument),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const { trace, format, skipped } = await loadTrace(input, opts);
      const to = await writeTrace(trace, output, opts.to);
      process.stderr.write(
        `${input} (${format}) -> ${output} (${to}): ${trace.length} requests, ${trace.objectCount} objects, ${skipped.length} skipped\n`,
      );
    });
}
