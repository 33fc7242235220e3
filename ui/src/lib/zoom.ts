// Zoom for tired eyes and far screens (Ctrl +, Ctrl −, Ctrl 0): the whole console scales, the
// level is kept on this laptop. CSS zoom scales every pixel size the stylesheet gives, in
// Chromium and WebKitGTK alike.

export const ZOOM_LEVELS = [0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2] as const;
const KEY = 'muster.zoom';

export function storedZoom(): number {
  try {
    const z = Number(localStorage.getItem(KEY));
    return (ZOOM_LEVELS as readonly number[]).includes(z) ? z : 1;
  } catch {
    return 1;
  }
}

/** The next level up (+1) or down (−1) from `current`, staying within the levels. */
export function stepZoom(current: number, direction: 1 | -1): number {
  const levels = ZOOM_LEVELS as readonly number[];
  const i = levels.findIndex((z) => z >= current - 1e-9);
  const at = i === -1 ? levels.length - 1 : i;
  const next = levels[Math.min(levels.length - 1, Math.max(0, at + direction))];
  return next ?? 1;
}

export function applyZoom(z: number): void {
  document.documentElement.style.setProperty('zoom', String(z));
  try {
    if (z === 1) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, String(z));
  } catch {
    // A webview without storage still zooms; the level is just not kept.
  }
}
