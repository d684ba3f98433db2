// Data loading for panels: one request per change of its key, aborted when superseded.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, onTokenChange } from './api.ts';

export type Load<T> =
  | { state: 'loading'; data?: T }
  | { state: 'error'; error: ApiError | Error; data?: T }
  | { state: 'ok'; data: T };

/** Runs `fetcher` whenever `key` changes (and when the token changes); null key: idle. */
export function useLoad<T>(key: string | null, fetcher: (signal: AbortSignal) => Promise<T>): Load<T> & { reload: () => void } {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  useEffect(() => onTokenChange(() => setGeneration((g) => g + 1)), []);
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setLoad((prev) => ({ state: 'loading', ...(prev.data !== undefined ? { data: prev.data } : {}) }));
    fetcherRef.current(controller.signal).then(
      (data) => controller.signal.aborted || setLoad({ state: 'ok', data }),
      (error: unknown) => controller.signal.aborted || setLoad({ state: 'error', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => controller.abort();
  }, [key, generation]);
  return { ...load, reload: () => setGeneration((g) => g + 1) };
}
