// Point lists and overlays for drag sessions (platform-neutral): parsing "r,c>r,c;..." and drawing the
// handle (red) and target (blue) points on uint8 RGB frames.
import { InputError } from '../errors.js';
import type { Point } from './session.js';

/**
 * Parses handle>target pairs "r,c>r,c;r,c>r,c" (pixels, [row, col]).
 * @example parseDragPoints('51,57>51,76;89,38>79,38') // { handles: [[51, 57], [89, 38]], targets: [[51, 76], [79, 38]] }
 */
export function parseDragPoints(text: string, option = '--points'): { handles: Point[]; targets: Point[] } {
  const handles: Point[] = [];
  const targets: Point[] = [];
  const pt = (s: string, what: string): Point => {
    const m = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(s);
    if (!m) throw new InputError(`${option}: cannot read the ${what} '${s.trim()}': expected row,col in pixels`);
    return [Number(m[1]), Number(m[2])];
  };
  const pairs = text.split(';').filter((p) => p.trim() !== '');
  if (pairs.length === 0) throw new InputError(`${option} is empty: give pairs such as "51,57>51,76;89,38>79,38"`);
  for (const pair of pairs) {
    const parts = pair.split('>');
    if (parts.length !== 2) throw new InputError(`${option}: '${pair.trim()}' is not a handle>target pair such as 51,57>51,76`);
    handles.push(pt(parts[0]!, 'handle point'));
    targets.push(pt(parts[1]!, 'target point'));
  }
  return { handles, targets };
}

/** Draws a filled disc of radius r into an RGB uint8 image [H, W, 3] (clipped to the image). */
function disc(img: Uint8Array, H: number, W: number, p: Point, r: number, rgb: readonly [number, number, number]): void {
  for (let y = Math.max(0, p[0] - r); y <= Math.min(H - 1, p[0] + r); y++)
    for (let x = Math.max(0, p[1] - r); x <= Math.min(W - 1, p[1] + r); x++) {
      if ((y - p[0]) ** 2 + (x - p[1]) ** 2 > r * r) continue;
      img.set(rgb, (y * W + x) * 3);
    }
}

/**
 * A copy of an RGB frame with handles drawn red and targets blue (radius about 1/128 of the image, at least 1).
 * @example const frame = drawPoints(rgb, 256, 256, r.points, s.targets);
 */
export function drawPoints(rgb: Uint8Array, H: number, W: number, handles: readonly Point[], targets: readonly Point[]): Uint8Array {
  const out = Uint8Array.from(rgb);
  const r = Math.max(1, Math.round(H / 128));
  for (const t of targets) disc(out, H, W, t, r, [0, 0, 255]);
  for (const h of handles) disc(out, H, W, h, r, [255, 0, 0]);
  return out;
}
