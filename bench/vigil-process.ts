// Runs `vigil` as a child process and waits for its start-up banner (used by the
// benchmark and by the process tests).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;

export interface VigilProcess {
  child: ChildProcess;
  otlpUrl: string;
  /** Log lines printed so far (pino JSON). */
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startVigilProcess(env: Record<string, string>, args: string[] = []): Promise<VigilProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'query/vigil.ts', ...args], {
    cwd: root,
    env: { ...process.env, VIGIL_OTLP_HTTP_PORT: '0', VIGIL_QUERY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`vigil exited with ${code} before it was ready:\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /send OTLP\/HTTP to (http:\/\/[^ ]+)/.exec(line);
      if (m) resolve({ child, otlpUrl: m[1]!, lines, exited });
    });
  });
}
