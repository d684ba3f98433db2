// Runs `vigil` as a child process and waits for its start-up banner (used by the
// benchmark and by the process tests).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;

export interface VigilProcess {
  child: ChildProcess;
  /** The OTLP/HTTP base URL; empty for `vigil query`, which has no OTLP port. */
  otlpUrl: string;
  /** The query API base URL (no trailing slash); undefined for `vigil ingest`. */
  queryUrl?: string | undefined;
  /** Log lines printed so far (pino JSON). */
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

// The server runs as `npm start` runs it (package.json): with its glibc malloc settings (large
// blocks from the heap, not fresh mmaps whose first touch costs page faults) unless
// GLIBC_TUNABLES is set here (empty: glibc's defaults), and with its Node.js options (a young
// generation large enough for a request's garbage: README "Configuration").
const START = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start as string;
export const MALLOC = /GLIBC_TUNABLES=(\S+)/.exec(START)?.[1];
const START_NODE_ARGS = /\btsx ((?:--\S+ )*)query\/vigil\.ts/.exec(START)?.[1]?.split(' ').filter(Boolean) ?? [];

// BENCH_NODE_ARGS: extra Node options for the server only, e.g. to profile it under load:
// BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:ingest
const nodeArgs = [...START_NODE_ARGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];

export function startVigilProcess(env: Record<string, string>, args: string[] = []): Promise<VigilProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'query/vigil.ts', ...args], {
    cwd: root,
    env: { ...(MALLOC === undefined ? {} : { GLIBC_TUNABLES: MALLOC }), ...process.env, VIGIL_OTLP_HTTP_PORT: '0', VIGIL_OTLP_GRPC_PORT: '0', VIGIL_QUERY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // The banners a role prints once it is ready: `vigil ingest` only the OTLP one, `vigil query`
  // only the query one, `vigil` both.
  const role = args[0] ?? 'all';
  const wantOtlp = role !== 'query';
  const wantQuery = role !== 'ingest';
  let otlpUrl: string | undefined;
  let queryUrl: string | undefined;
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`vigil exited with ${code} before it was ready:\n${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      otlpUrl ??= /send OTLP\/HTTP to (http:\/\/[^ "]+)/.exec(line)?.[1];
      queryUrl ??= /query API at (http:\/\/[^ "]+?)\/? /.exec(line)?.[1];
      if ((!wantOtlp || otlpUrl !== undefined) && (!wantQuery || queryUrl !== undefined)) {
        resolve({ child, otlpUrl: otlpUrl ?? '', queryUrl, lines, exited });
      }
    });
  });
}
