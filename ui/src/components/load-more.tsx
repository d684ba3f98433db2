// Cursor paging of a list whose first page a panel loaded: "Load more" appends the next pages
// until the API answers no cursor; a new first page starts over.
import { useEffect, useState } from 'preact/hooks';

export interface Paging<T> {
  items: T[];
  cursor: string | null;
  loading: boolean;
  error: string;
  loadMore: () => Promise<void>;
}

export function usePaging<T>(first: { items: T[]; nextCursor: string | null } | undefined, fetchPage: (cursor: string) => Promise<{ items: T[]; nextCursor: string | null }>): Paging<T> {
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    setMore([]);
    setCursor(first?.nextCursor ?? null);
    setError('');
  }, [first]);
  const loadMore = async () => {
    if (cursor === null || loading) return;
    setLoading(true);
    try {
      const page = await fetchPage(cursor);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
      setError('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };
  return { items: [...(first?.items ?? []), ...more], cursor, loading, error, loadMore };
}

export function LoadMore({ paging }: { paging: Paging<unknown> }) {
  if (paging.cursor === null) return null;
  return (
    <div class="more">
      <button type="button" onClick={paging.loadMore} disabled={paging.loading}>
        {paging.loading ? 'Loading…' : 'Load more'}
      </button>
      {paging.error && <FieldError message={paging.error} />}
    </div>
  );
}

/** A form's or action's error message, announced to screen readers. */
export function FieldError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p class="field-error" role="alert">
      {message}
    </p>
  );
}
