/** Errors the service answers as `{"error": message}`, the HTTP status each kind maps to, and what the client is told. */

import path from 'node:path';
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

/**
 * The message a client gets: what was wrong with its request, in its terms. A bundle's folder
 * is the service's (an upload's is a staging folder), so it is left out; a fault of the service
 * is not explained to the client, the log has it.
 */
export function clientMessage(err: unknown, status: number, requestId: string): string {
  if (status >= 500) return `internal error (request ${requestId}); the service log has the details`;
  if (err instanceof BundleError) {
    return `model bundle: ${err.field}: ${err.reason.replaceAll(`${err.bundle}${path.sep}`, '')}`;
  }
  return (err as Error).message;
}
