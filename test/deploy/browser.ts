/**
 * Debian's Chromium, headless, for the dashboard's browser test and its screenshot: started here
 * (its own pid, process group and --user-data-dir), driven by playwright-core over CDP, which
 * downloads no browser. close() ends it by that pid and removes only its own profile folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface RunningChromium {
  pid: number;
  browser: Browser;
  close(): Promise<void>;
}

const exited = (child: ChildProcess, ms: number): Promise<boolean> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

export async function startChromium(): Promise<RunningChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'smartcache-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      // the test may run as root, where Chromium's sandbox refuses to start
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const kill = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      // the whole group: the renderer and helper processes Chromium started
      process.kill(-child.pid, 'SIGKILL');
      await exited(child, 5000);
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start within 20 s: ${err}`)), 20_000);
      child.stderr?.on('data', (chunk) => {
        err += chunk;
        const listening = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (listening) {
          clearTimeout(timer);
          resolve(listening[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`chromium exited with ${code}: ${err}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint);
    return {
      pid: child.pid!,
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        await kill();
      },
    };
  } catch (err) {
    await kill();
    throw err;
  }
}
