// One uPlot instance per panel: created when the options change, fed with setData, resized
// with its container. Chart data stays out of Preact state.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

interface ChartProps {
  /** Builds the options for a width (uPlot needs width and height up front). */
  options: (width: number) => uPlot.Options;
  data: uPlot.AlignedData;
  /** Changes of this key rebuild the chart (series set changed). */
  shape: string;
  label: string;
  class?: string;
}

/** The page's theme, re-read when it changes (charts draw axis colours from it). */
function useTheme(): string {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(document.documentElement.dataset.theme ?? ''));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

export function Chart({ options, data, shape, label, class: cls }: ChartProps) {
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const dataRef = useRef(data);
  dataRef.current = data;

  useEffect(() => {
    const el = box.current!;
    const u = new uPlot(optionsRef.current(Math.max(200, el.clientWidth)), dataRef.current, el);
    plot.current = u;
    // Reachable from the element for tests and for poking at a chart in the console.
    (el as HTMLElement & { uplot?: uPlot }).uplot = u;
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: u.height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, theme]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={box} class={`chart ${cls ?? ''}`} role="img" aria-label={label} />;
}

/** Colours readable in both themes. */
export const SEVERITY_COLORS: Record<string, string> = {
  UNSPECIFIED: '#94a3b8',
  TRACE: '#a78bfa',
  DEBUG: '#60a5fa',
  INFO: '#34d399',
  WARN: '#fbbf24',
  ERROR: '#f87171',
  FATAL: '#dc2626',
};

/** Axis colours from the page's CSS variables (so charts follow the theme). */
export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  const css = getComputedStyle(document.documentElement);
  const fg = css.getPropertyValue('--muted').trim() || '#888';
  const grid = css.getPropertyValue('--grid').trim() || '#8884';
  return { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}
