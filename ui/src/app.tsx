// The app shell: navigation, theme, the token prompt, and the page for the current path.
import { useEffect, useState } from 'preact/hooks';
import { getToken, setToken, unauthorizedListeners } from './api.ts';
import { AlertsPage } from './alerts/page.tsx';
import { CanaryPage, CanaryReport } from './canary/page.tsx';
import { DashboardView, DashboardsPage } from './dashboards/page.tsx';
import { ServiceDashboard } from './dashboards/service.tsx';
import { MetricsPage } from './metrics/page.tsx';
import { LogsPage } from './pages/logs.tsx';
import { SearchPage } from './pages/search.tsx';
import { ServicePage } from './pages/service.tsx';
import { ServicesPage } from './pages/services.tsx';
import { linkClick, useLocation } from './router.ts';
import { TracePage } from './trace/page.tsx';

type Theme = 'light' | 'dark';
const THEME_KEY = 'vigil.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const NAV = [
  { href: '/services', label: 'Services', match: (p: string) => p === '/' || p.startsWith('/services') },
  { href: '/traces', label: 'Traces', match: (p: string) => p.startsWith('/traces') },
  { href: '/logs', label: 'Logs', match: (p: string) => p.startsWith('/logs') },
  { href: '/metrics', label: 'Metrics', match: (p: string) => p.startsWith('/metrics') },
  { href: '/dashboards', label: 'Dashboards', match: (p: string) => p.startsWith('/dashboards') },
  { href: '/canary', label: 'Canary', match: (p: string) => p.startsWith('/canary') },
  { href: '/alerts', label: 'Alerts', match: (p: string) => p.startsWith('/alerts') },
];

function Page({ path, params }: { path: string; params: URLSearchParams }) {
  if (path === '/' || path === '/services') return <ServicesPage params={params} />;
  const service = /^\/services\/([^/]+)$/.exec(path);
  if (service) return <ServicePage service={decodeURIComponent(service[1]!)} params={params} />;
  if (path === '/traces') return <SearchPage params={params} />;
  const trace = /^\/traces\/([^/]+)$/.exec(path);
  if (trace) return <TracePage traceId={decodeURIComponent(trace[1]!)} params={params} />;
  if (path === '/logs') return <LogsPage params={params} />;
  if (path === '/metrics') return <MetricsPage params={params} />;
  if (path === '/dashboards') return <DashboardsPage />;
  if (path === '/dashboards/service') return <ServiceDashboard params={params} />;
  const dashboard = /^\/dashboards\/d\/([^/]+)$/.exec(path);
  if (dashboard) return <DashboardView id={decodeURIComponent(dashboard[1]!)} params={params} />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/canary') return <CanaryPage params={params} />;
  const canary = /^\/canary\/([^/]+)$/.exec(path);
  if (canary) return <CanaryReport id={decodeURIComponent(canary[1]!)} />;
  return (
    <main class="page">
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. Go to <a href="/services">Services</a>.
      </p>
    </main>
  );
}

function TokenDialog({ onClose }: { onClose: () => void }) {
  const [value, setValue] = useState(getToken());
  return (
    <div class="modal-backdrop" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        class="modal"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          onClose();
        }}
      >
        <h2 id="token-title">Query token</h2>
        <p>This Vigil asks for a bearer token (one of its VIGIL_QUERY_TOKENS). It is kept in this browser only.</p>
        <input type="password" autoFocus aria-label="Token" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <div class="modal-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </div>
  );
}

export function App() {
  const { path, params } = useLocation();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [askToken, setAskToken] = useState(false);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    const ask = () => setAskToken(true);
    unauthorizedListeners.add(ask);
    return () => void unauthorizedListeners.delete(ask);
  }, []);
  return (
    <div class="app" onClick={linkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/services">
          Vigil
        </a>
        <nav aria-label="Pages">
          {NAV.map((n) => (
            <a href={n.href} aria-current={n.match(path) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <div class="topbar-actions">
          <button type="button" onClick={() => setAskToken(true)} title="Set the query token">
            Token
          </button>
          <button
            type="button"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            onClick={() => {
              const next = theme === 'dark' ? 'light' : 'dark';
              localStorage.setItem(THEME_KEY, next);
              setTheme(next);
            }}
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      <div id="main">
        <Page path={path} params={params} />
      </div>
      {askToken && <TokenDialog onClose={() => setAskToken(false)} />}
    </div>
  );
}
