// One colour per service (by its index among the trace's or page's sorted services).
const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#6366f1', '#84cc16', '#06b6d4', '#a855f7', '#eab308'];

export function serviceColor(index: number): string {
  const base = PALETTE[index % PALETTE.length]!;
  // Past the palette, rotate the hue so neighbours still differ.
  return index < PALETTE.length ? base : `hsl(${(index * 137.5) % 360} 65% 50%)`;
}
