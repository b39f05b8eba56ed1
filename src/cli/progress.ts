/** Progress bars on stderr, shown only when stderr is a terminal (never in pipes or CI logs). */
import { createRequire } from 'node:module';
import type { StoppableProgress } from '../learn/train.js';

/** Loaded only when a bar is shown, so runs in pipes and CI do not pay for it at start-up. */
const requireCjs = createRequire(import.meta.url);
const loadCliProgress = (): typeof import('cli-progress') => requireCjs('cli-progress');

export interface Progress {
  /** advances by `delta` units */
  tick(delta: number): void;
  stop(): void;
}

const silent: Progress = { tick: () => {}, stop: () => {} };

export function progressBar(label: string, total: number, unit: string): Progress {
  if (!process.stderr.isTTY || total <= 0) return silent;
  const cliProgress = loadCliProgress();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} ${unit} | {duration_formatted} elapsed, eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? compact(v) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let value = 0;
  return {
    tick: (delta) => {
      value += delta;
      bar.update(Math.min(value, total));
    },
    stop: () => bar.stop(),
  };
}

function compact(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(Math.round(v));
}

/** Training progress: a bar per epoch with the running loss on terminals, one line per epoch always. */
export function trainingBar(label: string, epochs: number): StoppableProgress {
  const tty = process.stderr.isTTY;
  let bar: import('cli-progress').SingleBar | undefined;
  let current = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    batch: (epoch, rows, total, loss) => {
      if (!tty) return;
      if (epoch !== current) {
        stop();
        current = epoch;
        const cliProgress = loadCliProgress();
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: `${label} epoch {epoch}/${epochs} {bar} {percentage}% | loss {loss} | eta {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { epoch, loss: '-' });
      }
      bar?.update(rows, { epoch, loss: loss.toFixed(4) });
    },
    epoch: (r) => {
      stop();
      process.stderr.write(
        `${label} epoch ${r.epoch}/${epochs}: loss ${r.loss.toFixed(4)}, validation loss ${r.valLoss.toFixed(4)}, ` +
          `${r.metricName} ${r.valMetric.toFixed(4)} (${r.seconds.toFixed(1)} s)\n`,
      );
    },
    stop,
  };
}
