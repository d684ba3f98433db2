// Builds the UI with Vite into ui/dist. `--if-stale` skips the build when ui/dist/index.html
// is newer than every source file (what `npm start` and the browser tests use).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const uiDir = fileURLToPath(new URL('.', import.meta.url));
export const distIndex = join(uiDir, 'dist', 'index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function isStale(): boolean {
  let built: number;
  try {
    built = statSync(distIndex).mtimeMs;
  } catch {
    return true;
  }
  const sources = Math.max(newestSource(join(uiDir, 'src')), ...['index.html', 'vite.config.ts', 'tsconfig.json'].map((f) => statSync(join(uiDir, f)).mtimeMs));
  return sources > built;
}

export async function buildUi(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(uiDir, 'vite.config.ts'), logLevel: 'warn' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
  // The JSX transform follows NODE_ENV: anything but production (vitest sets `test`) would
  // give the larger development build.
  process.env.NODE_ENV = 'production';
  buildUi().then(
    () => process.stdout.write(`UI built into ${join(uiDir, 'dist')}\n`),
    (error: unknown) => {
      process.stderr.write(`UI build failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
