/**
 * Publishing a bundle to a running model service: the bundle's files as one tar.gz body on the
 * service's `/bundle` upload route (docs/serve.md), as the training CronJob of the Helm chart
 * does after `train`.
 */
import { create } from 'tar';
import { bundleFiles, readBundle } from '../learn/bundle.js';

/** What the service answered for an accepted upload. */
export interface PublishedModel {
  model: string;
  version: number;
  engine: string;
}

/** An upload the service did not accept (or could not be asked), with the URL and the service's reason. */
export class PublishError extends Error {
  constructor(
    readonly url: string,
    readonly status: number | undefined,
    reason: string,
  ) {
    super(`publishing to ${url}: ${status === undefined ? '' : `${status} `}${reason}`);
    this.name = 'PublishError';
  }
}

export interface PublishOptions {
  /** bundle directory (`smartcache train --out`) */
  bundle: string;
  /** base URL of the service, with its `--base` prefix if it has one */
  url: string;
  /** the service's admin token */
  token: string;
}

/** Checks the bundle, packs exactly its files and uploads them; answers the new model version. */
export async function publishBundle(options: PublishOptions): Promise<PublishedModel> {
  const { dir, params } = await readBundle(options.bundle);
  const archive = await packBundle(dir, bundleFiles(params));
  const url = `${options.url.replace(/\/+$/, '')}/bundle`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': 'application/octet-stream',
        'content-encoding': 'gzip',
      },
      body: archive,
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new PublishError(url, undefined, cause?.message ?? (err as Error).message);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new PublishError(url, response.status, errorMessage(text));
  }
  return JSON.parse(text) as PublishedModel;
}

async function packBundle(dir: string, files: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of create({ gzip: true, cwd: dir, portable: true }, files)) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: the body itself is the best description
  }
  return body.slice(0, 500);
}
