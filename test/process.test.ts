// `vigil` as a process: start-up banner, SIGTERM stops accepting, stores what was accepted, exits 0.
import { afterAll, describe, expect, it } from 'vitest';
import { type VigilProcess, startVigilProcess } from '../bench/vigil-process.ts';
import { logsJson, post } from './helpers/otlp.ts';
import { freshDataDir, startTestVigil } from './helpers/vigil.ts';

const started: VigilProcess[] = [];
afterAll(() => {
  for (const p of started) p.child.kill('SIGKILL');
});

describe('vigil process', () => {
  it('on SIGTERM answers the request it holds once stored, exits 0, and the data is there after restart', async () => {
    const dataDir = freshDataDir();
    // The batch waits up to 10 s: the request is still unanswered when SIGTERM arrives.
    const vigil = await startVigilProcess({ VIGIL_DATA_DIR: dataDir, VIGIL_BATCH_MAX_AGE: '10s' });
    started.push(vigil);
    expect(vigil.lines.some((l) => /query API at http:\/\//.test(l))).toBe(true);

    const pending = post(`${vigil.otlpUrl}/v1/logs`, logsJson('graceful', ['accepted before SIGTERM']));
    await new Promise((r) => setTimeout(r, 500));
    vigil.child.kill('SIGTERM');
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(await vigil.exited).toBe(0);

    const reopened = await startTestVigil({}, dataDir);
    try {
      const rows = await reopened.rows<{ Body: string }>(`SELECT Body FROM otel_logs WHERE ServiceName = 'graceful'`);
      expect(rows.map((r) => r.Body)).toEqual(['accepted before SIGTERM']);
    } finally {
      await reopened.stop();
    }
  });

  it('refuses an unknown command with usage and exit code 2', async () => {
    await expect(startVigilProcess({ VIGIL_DATA_DIR: freshDataDir() }, ['frobnicate'])).rejects.toThrow(/exited with 2/);
  });
});
