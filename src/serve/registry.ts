/**
 * Served models by name and version, kept in a models directory:
 *
 *   DIR/NAME/VERSION/   a bundle (uploads land here)
 *   DIR/NAME/default    the version served when a request names no version (else the highest)
 *   DIR/NAME/pinned     versions an admin made default by number: kept past `keepVersions`
 *   DIR/default         the model served when a request names none
 *   DIR/BUNDLE/         a bundle copied in directly: name and version (default 1) from params.json
 *
 * Switching a default replaces one map entry, so every request sees the old or the new model,
 * never none. Rescans pick up bundles added, changed or removed on disk; a bundle that fails to
 * load leaves the version it would replace serving. An upload keeps the last `keepVersions`
 * versions of its model, the pinned ones and the serving one; older versions are renamed out of
 * the directory (atomically, so a rescan never sees half of one), then deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';
import { BundleError, type BundleParams, PARAMS_FILE, readBundle } from '../learn/bundle.js';
import { type LoadOptions, loadModel } from './models/load.js';
import type { Model } from './models/model.js';

/** A request named a model or version that is not loaded. */
export class UnknownModelError extends Error {
  constructor(
    readonly ref: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'UnknownModelError';
  }
}

export interface ModelEntry {
  name: string;
  version: number;
  model: Model;
  dir: string;
  /** file names, sizes and modification times, to notice changes on disk */
  stamp: string;
}

export type RegistryLog = (
  level: 'info' | 'warn',
  message: string,
  details?: Record<string, unknown>,
) => void;

const DEFAULT_FILE = 'default';
const PINNED_FILE = 'pinned';
const TRASH_PREFIX = '.removed-';

export interface RegistryOptions extends LoadOptions {
  /** versions of a model an upload keeps, besides pinned and serving ones (default 5) */
  keepVersions?: number;
}
const STAGING_PREFIX = '.staging-';

async function bundleStamp(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const parts = await Promise.all(
    names.map(async (n) => {
      const s = await stat(path.join(dir, n));
      return `${n}:${s.size}:${s.mtimeMs}`;
    }),
  );
  return parts.join('|');
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function isDirectory(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

interface Candidate {
  name: string;
  version: number;
  dir: string;
}

export class ModelRegistry {
  private readonly models = new Map<string, Map<number, ModelEntry>>();
  private readonly defaultVersions = new Map<string, number>();
  /** bundle folders that failed to load: their stamp then, and the error logged */
  private readonly failures = new Map<string, { stamp: string; error: string }>();
  private defaultName: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dir: string,
    private readonly log: RegistryLog,
    private readonly options: RegistryOptions,
  ) {}

  /** A registry over a models directory (created if needed), with nothing loaded yet. */
  static async create(
    dir: string,
    log: RegistryLog = () => {},
    options: RegistryOptions = {},
  ): Promise<ModelRegistry> {
    await mkdir(dir, { recursive: true });
    return new ModelRegistry(path.resolve(dir), log, options);
  }

  /** A registry with every bundle of the models directory loaded. */
  static async open(
    dir: string,
    log: RegistryLog = () => {},
    options: RegistryOptions = {},
  ): Promise<ModelRegistry> {
    const registry = await ModelRegistry.create(dir, log, options);
    await registry.rescan();
    return registry;
  }

  /** Runs mutations one at a time, in call order. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The entry for `name`, `name@version`, or the default model when `ref` is empty. */
  resolve(ref?: string): ModelEntry {
    const [name, versionText] = ref ? ref.split('@', 2) : [this.defaultModelName(), undefined];
    if (!name) throw new UnknownModelError('', 'no model named and no default model set (POST /params)');
    const versions = this.models.get(name);
    if (!versions) throw new UnknownModelError(name, `unknown model "${name}"`);
    const version = versionText === undefined ? this.defaultVersion(name) : Number(versionText);
    const entry = versions.get(version);
    if (!entry) throw new UnknownModelError(ref ?? name, `model "${name}" has no version ${versionText}`);
    return entry;
  }

  defaultModelName(): string | undefined {
    if (this.defaultName && this.models.has(this.defaultName)) return this.defaultName;
    return this.models.size === 1 ? [...this.models.keys()][0] : undefined;
  }

  defaultVersion(name: string): number {
    const versions = this.models.get(name);
    const chosen = this.defaultVersions.get(name);
    if (chosen !== undefined && versions?.has(chosen)) return chosen;
    return Math.max(...(versions?.keys() ?? []));
  }

  /** Every loaded version's params, by name then version. */
  list(): BundleParams[] {
    return [...this.models.keys()]
      .sort()
      .flatMap((name) =>
        [...this.models.get(name)!.values()]
          .sort((a, b) => a.version - b.version)
          .map((e) => ({ ...e.model.params, version: e.version })),
      );
  }

  entries(): ModelEntry[] {
    return [...this.models.values()].flatMap((v) => [...v.values()]);
  }

  /** A fresh directory inside the models directory (same filesystem) for an upload to unpack into. */
  async stagingDir(): Promise<string> {
    const dir = path.join(this.dir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
    await mkdir(dir);
    return dir;
  }

  /**
   * Validates and loads the bundle in `staging`, stores it as the next version of its model and
   * makes that version the default. `expectedName` is the upload form's name field, which must
   * match params.json. On any failure nothing changes and `staging` is removed.
   */
  install(staging: string, expectedName?: string): Promise<ModelEntry> {
    return this.serial(async () => {
      try {
        const { params } = await readBundle(staging);
        if (expectedName !== undefined && params.name !== expectedName) {
          throw new BundleError(
            'upload',
            'name',
            `params.json names "${params.name}" but the form field name is "${expectedName}"`,
          );
        }
        const version = Math.max(params.version ?? 0, (await this.highestVersion(params.name)) + 1);
        const stored = { ...params, version };
        await writeFile(path.join(staging, PARAMS_FILE), `${JSON.stringify(stored, null, 2)}\n`);
        const model = await loadModel(staging, this.options);
        const dir = path.join(this.dir, params.name, String(version));
        await mkdir(path.dirname(dir), { recursive: true });
        await rename(staging, dir);
        const entry = { name: params.name, version, model, dir, stamp: await bundleStamp(dir) };
        this.put(entry);
        this.defaultVersions.set(params.name, version);
        await writeFileAtomic(path.join(this.dir, params.name, DEFAULT_FILE), `${version}\n`);
        this.log('info', 'model installed', { model: params.name, version });
        await this.prune(params.name);
        return entry;
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  }

  /** Removes versions of `name` beyond the last `keepVersions`, except pinned and serving ones. */
  private async prune(name: string): Promise<void> {
    const keep = this.options.keepVersions ?? 5;
    const pinned = await this.pinnedVersions(name);
    const serving = this.defaultVersion(name);
    const versions = [...(this.models.get(name)?.values() ?? [])].sort((a, b) => b.version - a.version);
    for (const entry of versions.slice(keep)) {
      if (pinned.has(entry.version) || entry.version === serving) continue;
      const trash = path.join(
        this.dir,
        name,
        `${TRASH_PREFIX}${entry.version}-${randomBytes(4).toString('hex')}`,
      );
      await rename(entry.dir, trash);
      this.drop(entry);
      await rm(trash, { recursive: true, force: true });
      this.log('info', 'old version removed', { model: name, version: entry.version, keepVersions: keep });
    }
  }

  private async pinnedVersions(name: string): Promise<Set<number>> {
    const text = (await readText(path.join(this.dir, name, PINNED_FILE))) ?? '';
    return new Set(
      text
        .split(/\s+/)
        .map(Number)
        .filter((v) => Number.isInteger(v) && v > 0),
    );
  }

  private async writePinned(name: string, pinned: Set<number>, without = new Set<number>()): Promise<void> {
    const kept = [...pinned].filter((v) => !without.has(v)).sort((a, b) => a - b);
    await writeFileAtomic(path.join(this.dir, name, PINNED_FILE), kept.map((v) => `${v}\n`).join(''));
  }

  private async highestVersion(name: string): Promise<number> {
    const loaded = [...(this.models.get(name)?.keys() ?? [])];
    const onDisk = (await readdir(path.join(this.dir, name)).catch(() => []))
      .map(Number)
      .filter(Number.isInteger);
    return Math.max(0, ...loaded, ...onDisk);
  }

  private put(entry: ModelEntry): void {
    let versions = this.models.get(entry.name);
    if (!versions) {
      versions = new Map();
      this.models.set(entry.name, versions);
    }
    const old = versions.get(entry.version);
    versions.set(entry.version, entry);
    if (old && old.model !== entry.model) old.model.dispose();
  }

  private drop(entry: ModelEntry): void {
    const versions = this.models.get(entry.name);
    versions?.delete(entry.version);
    if (versions?.size === 0) this.models.delete(entry.name);
    entry.model.dispose();
  }

  /** The entry of a model named explicitly: an empty name is no model, never the default one. */
  private named(name: string, version?: number): ModelEntry {
    if (!name) throw new UnknownModelError('', 'no model named');
    return this.resolve(version === undefined ? name : `${name}@${version}`);
  }

  /** Makes `name` the default model and, when given, `version` its default version. */
  setDefault(name: string, version?: number): Promise<void> {
    return this.serial(async () => {
      this.named(name, version);
      if (version !== undefined) {
        this.defaultVersions.set(name, version);
        await writeFileAtomic(path.join(this.dir, name, DEFAULT_FILE), `${version}\n`);
        await this.writePinned(name, (await this.pinnedVersions(name)).add(version));
      }
      this.defaultName = name;
      await writeFileAtomic(path.join(this.dir, DEFAULT_FILE), `${name}\n`);
      this.log('info', 'default model set', { model: name, version: this.defaultVersion(name) });
    });
  }

  /** Deletes a model's version, or every version, from memory and disk. */
  remove(name: string, version?: number): Promise<void> {
    return this.serial(async () => {
      const entry = this.named(name, version);
      const doomed = version === undefined ? [...this.models.get(name)!.values()] : [entry];
      for (const e of doomed) {
        await rm(e.dir, { recursive: true, force: true });
        this.drop(e);
      }
      if (!this.models.has(name)) await rm(path.join(this.dir, name), { recursive: true, force: true });
      else
        await this.writePinned(name, await this.pinnedVersions(name), new Set(doomed.map((e) => e.version)));
      this.log('info', 'model deleted', { model: name, version });
    });
  }

  /** Brings the loaded models in line with the models directory. */
  rescan(): Promise<void> {
    return this.serial(async () => {
      const found = await this.candidates();
      const seen = new Set<string>();
      for (const c of found) {
        seen.add(c.dir);
        const current = this.models.get(c.name)?.get(c.version);
        const stamp = await bundleStamp(c.dir).catch(() => '');
        if (current && current.dir === c.dir && current.stamp === stamp) continue;
        if (this.failures.get(c.dir)?.stamp === stamp) continue;
        try {
          const model = await loadModel(c.dir, this.options);
          if (model.params.name !== c.name) {
            model.dispose();
            throw new BundleError(
              c.dir,
              'name',
              `params.json names "${model.params.name}", the folder "${c.name}"`,
            );
          }
          this.put({ ...c, model, stamp });
          const recovered = this.failures.delete(c.dir);
          this.log('info', 'model loaded', {
            model: c.name,
            version: c.version,
            engine: model.engine,
            recovered,
          });
        } catch (err) {
          this.failed(c.dir, stamp, err);
        }
      }
      for (const entry of this.entries()) if (!seen.has(entry.dir)) this.drop(entry);
      for (const dir of this.failures.keys()) if (!seen.has(dir)) this.failures.delete(dir);
      await this.readDefaults();
    });
  }

  private async candidates(): Promise<Candidate[]> {
    const out: Candidate[] = [];
    for (const top of (await readdir(this.dir)).filter((n) => !n.startsWith('.')).sort()) {
      const topDir = path.join(this.dir, top);
      if (!(await isDirectory(topDir))) continue;
      const flat = await readFile(path.join(topDir, PARAMS_FILE), 'utf8').catch(() => undefined);
      if (flat !== undefined) {
        try {
          const params = JSON.parse(flat) as BundleParams;
          out.push({ name: String(params.name), version: Number(params.version ?? 1), dir: topDir });
        } catch (err) {
          this.failed(topDir, await bundleStamp(topDir), err);
        }
        continue;
      }
      for (const sub of await readdir(topDir)) {
        const version = Number(sub);
        if (Number.isInteger(version) && version >= 1 && (await isDirectory(path.join(topDir, sub)))) {
          out.push({ name: top, version, dir: path.join(topDir, sub) });
        }
      }
    }
    return out;
  }

  /**
   * Records a bundle folder that failed to load. The failure is logged once, and again only
   * when the error changes; the folder is retried when its files change.
   */
  private failed(dir: string, stamp: string, err: unknown): void {
    const error = (err as Error).message;
    const before = this.failures.get(dir);
    this.failures.set(dir, { stamp, error });
    if (before?.error !== error) this.log('warn', 'model not loaded', { dir, error });
  }

  private async readDefaults(): Promise<void> {
    this.defaultName = (await readText(path.join(this.dir, DEFAULT_FILE))) || this.defaultName;
    for (const name of this.models.keys()) {
      const version = Number(await readText(path.join(this.dir, name, DEFAULT_FILE)));
      if (Number.isInteger(version) && version > 0) this.defaultVersions.set(name, version);
    }
  }

  /** Rescans the models directory every `intervalMs`; a failing rescan is logged when its error changes and when it recovers. */
  watch(intervalMs: number): void {
    let lastError: string | undefined;
    this.timer = setInterval(() => {
      this.rescan().then(
        () => {
          if (lastError !== undefined) this.log('info', 'rescan recovered', { error: lastError });
          lastError = undefined;
        },
        (err) => {
          const error = (err as Error).message;
          if (error !== lastError) this.log('warn', 'rescan failed', { error });
          lastError = error;
        },
      );
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops watching and releases every model. */
  close(): Promise<void> {
    clearInterval(this.timer);
    return this.serial(async () => {
      for (const entry of this.entries()) this.drop(entry);
    });
  }
}
