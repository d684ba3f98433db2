import type { Store } from '../schemas/store.ts';

/**
 * Waits until the engine's background merges are done (none running for three polls a second
 * apart, at most `maxSeconds`) and returns the seconds waited: benches that measure a settled
 * store, or count the merges an insert causes, wait here.
 */
export async function settleMerges(store: Store, maxSeconds = 900): Promise<number> {
  const started = performance.now();
  for (let quiet = 0; quiet < 3 && performance.now() - started < maxSeconds * 1000; ) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const result = await store.read.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' });
    const running = Number((await result.json<{ n: string | number }>())[0]!.n);
    quiet = running === 0 ? quiet + 1 : 0;
  }
  return (performance.now() - started) / 1000;
}
