// A small history router: the path picks the page, URL parameters hold the page's state
// (so every view is a shareable link).
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Location => ({ path: location.pathname, params: new URLSearchParams(location.search) });

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  listeners.forEach((l) => l());
  if (!replace) window.scrollTo(0, 0);
}

/** The current URL with some parameters set (undefined or '' removes one). */
export function withParams(update: Record<string, string | string[] | undefined>, path = location.pathname): string {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(update)) {
    params.delete(k);
    if (Array.isArray(v)) v.filter((x) => x !== '').forEach((x) => params.append(k, x));
    else if (v !== undefined && v !== '') params.set(k, v);
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** Click handler for <a href> inside the app: client-side navigation unless modified. */
export function linkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest('a');
  if (!a || a.target || a.origin !== location.origin || a.hasAttribute('download')) return;
  if (a.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}
