/** `smartcache spark start|stop|status`: a local Spark Connect server for users without a Spark cluster. */
import type { Command } from 'commander';
import {
  defaultSparkStateDir,
  type LocalSpark,
  localSparkStatus,
  startLocalSpark,
  stopLocalSpark,
} from '../prep/spark/local-server.js';
import { DEFAULT_SPARK_CONNECT_PORT } from '../prep/spark/remote.js';
import { portArgument } from './arguments.js';

const EXAMPLES = `
Examples:
  $ smartcache spark start                 # sc://127.0.0.1:15002
  $ smartcache spark start --port 15010 --driver-memory 8g
  $ smartcache spark status
  $ smartcache spark stop

The server is the Spark that the pyspark Python package ships (scripts/install-spark.sh installs it),
or the one in $SPARK_HOME. It listens on 127.0.0.1 only; its pid, port and log are kept in the
state directory (default ${defaultSparkStateDir()}).`;

interface StateOptions {
  stateDir?: string;
}

export function register(program: Command): void {
  const spark = program
    .command('spark')
    .description('start, stop or check a local Spark Connect server')
    .addHelpText('after', EXAMPLES);

  spark
    .command('start')
    .description('start a Spark Connect server on 127.0.0.1 and wait until it answers')
    .option('--port <port>', 'Connect port', portArgument, DEFAULT_SPARK_CONNECT_PORT)
    .option('--driver-memory <size>', 'driver JVM heap, e.g. 2g, 8g', '2g')
    .option('--master <master>', 'Spark master', 'local[2]')
    .option('--state-dir <dir>', 'where the pid, port and log are kept')
    .action(async (opts: StateOptions & { port: number; driverMemory: string; master: string }) => {
      const started = Date.now();
      const server = await startLocalSpark(opts);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`Spark Connect server started in ${seconds} s: ${describe(server)}\n`);
    });

  spark
    .command('stop')
    .description('stop the local Spark Connect server')
    .option('--state-dir <dir>', 'where the pid, port and log are kept')
    .action(async (opts: StateOptions) => {
      const server = await stopLocalSpark(opts);
      process.stdout.write(
        server ? `stopped ${describe(server)}\n` : 'no local Spark Connect server was running\n',
      );
    });

  spark
    .command('status')
    .description('tell whether the local Spark Connect server runs, and where')
    .option('--state-dir <dir>', 'where the pid, port and log are kept')
    .action(async (opts: StateOptions) => {
      const status = await localSparkStatus(opts);
      process.stdout.write(
        status.server
          ? `running: ${describe(status.server)}\n`
          : 'not running (start one with `smartcache spark start`)\n',
      );
    });
}

function describe(server: LocalSpark): string {
  return `${server.remote} (pid ${server.pid}, log ${server.logFile})`;
}
