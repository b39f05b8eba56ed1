/** Errors the service answers as `{"error": message}`, and the HTTP status each kind maps to. */

import { BundleError, UnsupportedFormatError } from '../learn/bundle.js';
import { ArchiveError } from './archive.js';
import { UnknownModelError } from './registry.js';

/** A client mistake with the status to answer. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The status for an error: 4xx for what the client sent, 5xx only for faults of the service. */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.statusCode;
  if (err instanceof UnsupportedFormatError) return 415;
  if (err instanceof BundleError) return 400;
  if (err instanceof ArchiveError) return err.tooLarge ? 413 : 400;
  if (err instanceof UnknownModelError) return 404;
  const e = err as { validation?: unknown; statusCode?: number };
  if (e.validation) return 400;
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600) return e.statusCode;
  return 500;
}
