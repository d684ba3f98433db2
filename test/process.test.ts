// `vigil` as a process: start-up banner, SIGTERM stops accepting, stores what was accepted, exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { logsJson, post } from './helpers/otlp.ts';
import { freshDataDir, startTestVigil } from './helpers/vigil.ts';

const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts `vigil` (all-in-one) and resolves with the OTLP URL it announces. */
function startProcess(dataDir: string): Promise<{ child: ChildProcess; otlpUrl: string; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'query/vigil.ts'], {
    cwd: root,
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_OTLP_HTTP_PORT: '0',
      VIGIL_QUERY_PORT: '0',
      VIGIL_BATCH_MAX_AGE: '10s',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`vigil exited early with ${code}: ${lines.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /send OTLP\/HTTP to (http:\/\/[^ ]+)/.exec(line);
      if (m) resolve({ child, otlpUrl: m[1]!, lines });
    });
  });
}

describe('vigil process', () => {
  it('on SIGTERM answers the request it holds once stored, exits 0, and the data is there after restart', async () => {
    const dataDir = freshDataDir();
    const { child, otlpUrl, lines } = await startProcess(dataDir);
    expect(lines.some((l) => /query API and UI at http:\/\//.test(l))).toBe(true);

    // The batch waits up to 10 s: the request is still unanswered when SIGTERM arrives.
    const pending = post(`${otlpUrl}/v1/logs`, logsJson('graceful', ['accepted before SIGTERM']));
    await new Promise((r) => setTimeout(r, 500));
    child.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await exited).toBe(0);

    const vigil = await startTestVigil({}, dataDir);
    try {
      const rows = await vigil.rows<{ Body: string }>(`SELECT Body FROM otel_logs WHERE ServiceName = 'graceful'`);
      expect(rows.map((r) => r.Body)).toEqual(['accepted before SIGTERM']);
    } finally {
      await vigil.stop();
    }
  });
});
