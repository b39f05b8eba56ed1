/** `smartcache convert`: reads a trace in one format and writes it in another. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseColumnMap } from '../trace/formats/csv.js';
import { formatList } from '../trace/formats/index.js';
import { FORMATS, type FormatName, isFormatName, readTrace } from '../trace/read.js';
import { formatForFileName, writeTrace } from '../trace/write.js';

interface ConvertOptions {
  from?: FormatName;
  to?: FormatName;
  map?: string;
  csvParams?: string;
  skipBad: number;
  onlySuccessful?: boolean;
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

function formatArgument(value: string): FormatName {
  if (!isFormatName(value)) {
    throw new InvalidArgumentError(`unknown format; one of ${FORMATS.map((f) => f.name).join(', ')}`);
  }
  return value;
}

function countArgument(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert a trace between formats')
    .argument('<in>', 'input trace')
    .argument('<out>', 'output trace (written atomically)')
    .addOption(new Option('--from <format>', 'input format (default: detected)').argParser(formatArgument))
    .addOption(
      new Option('--to <format>', "output format (default: from OUT's extension)").argParser(formatArgument),
    )
    .option(
      '--map <columns>',
      'csv input columns: time=COL,id=COL,size=COL[,site=,user=,dataset=,op=,bytesRead=]',
    )
    .option('--csv-params <params>', 'libcachesim-csv reader parameters, as for libCacheSim cachesim -t')
    .option('--skip-bad <n>', 'skip up to N bad records (reported), fail on the next', countArgument, 0)
    .option('--only-successful', 'cms: keep only successful jobs')
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const to = opts.to ?? formatForFileName(output);
      if (!to) throw new Error(`cannot tell the output format from ${output}; pass --to`);
      const { trace, format, skipped } = await readTrace(input, {
        format: opts.from,
        map: opts.map === undefined ? undefined : parseColumnMap(opts.map),
        csvParams: opts.csvParams,
        skipBad: opts.skipBad,
        onlySuccessful: opts.onlySuccessful,
      });
      await writeTrace(trace, output, to);
      for (const err of skipped) process.stderr.write(`skipped: ${err.message}\n`);
      process.stderr.write(
        `${input} (${format}) -> ${output} (${to}): ${trace.length} requests, ${trace.objectCount} objects, ${skipped.length} skipped\n`,
      );
    });
}
