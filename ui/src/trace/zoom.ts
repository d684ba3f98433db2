// The waterfall's zoom window as fractions 0..1 of the trace (pure).

export type Zoom = readonly [number, number];

/** Keyboard zoom: + / - halve or double the window around its middle, arrows move it by a quarter, 0 resets. */
export function keyZoom(zoom: Zoom, key: string): Zoom | undefined {
  const [a, b] = zoom;
  const width = b - a;
  const mid = (a + b) / 2;
  const clamp = (from: number, w: number): Zoom => {
    const start = Math.min(Math.max(0, from), 1 - w);
    return [start, start + w];
  };
  switch (key) {
    case '+':
    case '=':
      return clamp(mid - width / 4, width / 2);
    case '-':
      return clamp(mid - width, Math.min(1, width * 2));
    case 'ArrowLeft':
      return clamp(a - width / 4, width);
    case 'ArrowRight':
      return clamp(a + width / 4, width);
    case '0':
      return [0, 1];
    default:
      return undefined;
  }
}
