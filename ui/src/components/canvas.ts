// What every canvas view needs: its width following its container, and a 2D context sized for
// the device's pixel ratio and cleared for a new frame.
import { type RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function useContainerWidth(canvas: RefObject<HTMLCanvasElement | null>, initial = 800): number {
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = canvas.current!.parentElement!;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return width;
}

export function freshContext(c: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = devicePixelRatio || 1;
  c.width = width * ratio;
  c.height = height * ratio;
  const ctx = c.getContext('2d')!;
  ctx.scale(ratio, ratio);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}
