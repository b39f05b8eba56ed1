/**
 * Parsers for option values, given to commander: a bad value stops the command with
 * "option '--jobs <n>' argument 'x' is invalid. expected integer >= 1", naming the option.
 * Numbers follow the same rule as policy parameters (sim/params.ts).
 */
import { InvalidArgumentError, Option } from 'commander';
import { parseBandwidth, parseBytes, parseDuration } from '../common/units.js';
import { type NumberRange, parseNumber, typeText } from '../sim/params.js';

type Parser<T> = (text: string) => T;

function numeric(range: NumberRange): Parser<number> {
  return (text) => {
    const value = parseNumber(range, text);
    if (value === undefined) throw new InvalidArgumentError(`expected ${typeText(range)}`);
    return value;
  };
}

/** A whole number, `min` and above (and at most `max`). */
export const integer = (min: number, max?: number): Parser<number> => numeric({ type: 'integer', min, max });

/** A number above `min` (exclusive), at most `max` when given. */
export const positiveNumber = (max?: number): Parser<number> =>
  numeric({ type: 'number', min: 0, exclusiveMin: true, max });

/** worker threads, seeds, counts */
export const jobsArgument = integer(1, 1024);
export const seedArgument = integer(0, 2 ** 32 - 1);
/** record counts such as --skip-bad */
export const countArgument = integer(0);
export const portArgument = integer(1, 65_535);

/** A listen address: `host:port`, `:port` or `port` (host 127.0.0.1; port 0 picks a free one). */
export const listenArgument: Parser<{ host: string; port: number }> = (text) => {
  const match = /^(?:(.*):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new InvalidArgumentError('expected host:port, e.g. 127.0.0.1:8083');
  return { host: match[1] || '127.0.0.1', port };
};

/** A comma-separated list of values of one parser: `32,32`. */
export function listOf<T>(parse: Parser<T>): Parser<T[]> {
  return (text) => text.split(',').map((item) => parse(item.trim()));
}

/** Wraps a unit parser (parseBytes, parseDuration) so that its error names the option. */
function withUnits(parse: (text: string) => number): Parser<number> {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export const bytesArgument = withUnits(parseBytes);
/** bytes, at least 1 */
export const positiveBytesArgument: Parser<number> = (text) => {
  const bytes = bytesArgument(text);
  if (bytes < 1) throw new InvalidArgumentError('expected a size of at least 1 byte, e.g. 100MB');
  return bytes;
};
/** seconds, 0 and above */
export const durationArgument = withUnits(parseDuration);
/** seconds, above 0 */
export const positiveDurationArgument: Parser<number> = (text) => {
  const seconds = durationArgument(text);
  if (seconds <= 0) throw new InvalidArgumentError('expected a duration above 0, e.g. 3s');
  return seconds;
};
export const bandwidthArgument = withUnits(parseBandwidth);

/** A duration checked as `durationArgument` does, kept as written (for labels such as `1d/7d`). */
export function durationText(text: string): string {
  durationArgument(text);
  return text;
}

/**
 * An option whose value goes through `parse`, its default too (commander passes defaults
 * through unparsed): help shows `defaultText`, the action gets the parsed value.
 */
export function valueOption<T>(
  flags: string,
  description: string,
  parse: Parser<T>,
  defaultText?: string,
): Option {
  const option = new Option(flags, description).argParser(parse);
  return defaultText === undefined ? option : option.default(parse(defaultText), defaultText);
}
