/**
 * The closed learning loop's history: one JSON line per finished step, appended by the loop
 * and read by the dashboard and `smartcache status`. A line is written only once its step is
 * over, so a reader never sees a step half-described; a torn last line (the loop killed while
 * writing) is skipped by the reader and reported, never taken as a step.
 */
import { appendFile, readFile } from 'node:fs/promises';

export const loopSteps = ['collect', 'prep', 'train', 'evaluate', 'promote', 'keep'] as const;
export type LoopStep = (typeof loopSteps)[number];

/** A model's score on the held-out window of one round. */
export interface LoopScore {
  model: string;
  version: number;
  byteHitRatio: number;
  hitRatio: number;
}

export interface LoopEvent {
  /** ISO 8601 time the step ended. */
  time: string;
  /** Rounds count from 1; every step of one round carries its number. */
  round: number;
  step: LoopStep;
  ok: boolean;
  seconds: number;
  /** One line for people: what the step did, or why it failed. */
  detail: string;
  /** evaluate, promote and keep: the newly trained model and the one serving. */
  candidate?: LoopScore;
  serving?: LoopScore;
}

export async function appendLoopEvent(file: string, event: LoopEvent): Promise<void> {
  await appendFile(file, `${JSON.stringify(event)}\n`);
}

export interface LoopHistory {
  events: LoopEvent[];
  /** 1-based line numbers that are not a whole event (a torn write), left out of `events`. */
  skippedLines: number[];
}

/** Reads the history; a file that does not exist yet is an empty history. */
export async function readLoopHistory(file: string): Promise<LoopHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], skippedLines: [] };
    throw err;
  }
  const history: LoopHistory = { events: [], skippedLines: [] };
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const event = parseEvent(line);
    if (event) history.events.push(event);
    else history.skippedLines.push(index + 1);
  });
  return history;
}

function parseEvent(line: string): LoopEvent | undefined {
  try {
    const value = JSON.parse(line) as LoopEvent;
    const whole =
      typeof value.time === 'string' &&
      Number.isInteger(value.round) &&
      loopSteps.includes(value.step) &&
      typeof value.ok === 'boolean' &&
      typeof value.seconds === 'number' &&
      typeof value.detail === 'string';
    return whole ? value : undefined;
  } catch {
    return undefined;
  }
}
