// Real Chromium for the UI tests: Debian's package driven by playwright-core. On a machine
// without it, the setup installs it (as root, with apt-get) or stops with the one-line fix.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { isStale } from '../../ui/build.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const FIX = 'Chromium is missing: run `apt-get install -y chromium` as root (Debian), then rerun the tests.';

function apt(args: string[]): void {
  execFileSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 480_000 });
}

/** Makes sure /usr/bin/chromium exists, installing Debian's package when we can. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) throw new Error(FIX);
  try {
    apt(['install', '-y', 'chromium']);
  } catch {
    // A fresh machine may have no package lists yet.
    try {
      apt(['update']);
      apt(['install', '-y', 'chromium']);
    } catch {
      throw new Error(FIX);
    }
  }
  if (!existsSync(CHROMIUM)) throw new Error(FIX);
}

/** Builds ui/dist (production build, in its own process) when missing or older than the UI's sources. */
export function ensureUiBuilt(): void {
  if (!isStale()) return;
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../ui/build.ts', import.meta.url))], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Flags that keep Chromium off the network it cannot reach here (no background calls).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // playwright gives each launch a fresh, empty user data directory of its own (it refuses
    // --user-data-dir in args).
  });
}
