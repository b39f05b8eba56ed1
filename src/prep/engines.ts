/** The prep engines this build has, by name; an engine adapter adds itself with one line. */
import { openDuckDbEngine } from './duckdb.js';
import type { EngineFactory } from './engine.js';
import { openSparkEngine } from './spark.js';

export const ENGINES: Readonly<Record<string, EngineFactory>> = {
  duckdb: openDuckDbEngine,
  spark: openSparkEngine,
};

export const DEFAULT_ENGINE = 'duckdb';

export function engineFactory(name: string): EngineFactory {
  const factory = ENGINES[name];
  if (!factory) {
    throw new RangeError(`prep engine "${name}" is not available; known: ${Object.keys(ENGINES).join(', ')}`);
  }
  return factory;
}
