// Test data sets: small generated images (coloured shapes on a plain background) written as PNG files, and zips.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { RandomState } from '../../src/random/numpy-random.js';

/**
 * A coloured shape (disc or square) on a plain background, uint8 HWC [R, R, 3], fixed by `seed`.
 * @example const px = shapeImage(3, 16);
 */
export function shapeImage(seed: number, R: number): Uint8Array {
  const rs = new RandomState(seed);
  const bg = [0, 1, 2].map(() => Math.floor(rs.randomSample() * 96));
  const fg = [0, 1, 2].map(() => 128 + Math.floor(rs.randomSample() * 128));
  const disc = rs.randomSample() < 0.5;
  const r = R * (0.15 + 0.2 * rs.randomSample());
  const cx = r + rs.randomSample() * (R - 2 * r);
  const cy = r + rs.randomSample() * (R - 2 * r);
  const out = new Uint8Array(R * R * 3);
  for (let y = 0; y < R; y++) {
    for (let x = 0; x < R; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const inside = disc ? dx * dx + dy * dy <= r * r : Math.abs(dx) <= r && Math.abs(dy) <= r;
      for (let c = 0; c < 3; c++) out[(y * R + x) * 3 + c] = inside ? fg[c]! : bg[c]!;
    }
  }
  return out;
}

/**
 * PNG bytes of HWC pixels (1: grayscale, 3: RGB, 4: RGBA).
 * @example writeFileSync('a.png', await png(px, 16, 16, 3));
 */
export async function png(hwc: Uint8Array, width: number, height: number, channels: number): Promise<Uint8Array> {
  let img = sharp(Buffer.from(hwc), { raw: { width, height, channels: channels as 1 | 3 | 4 } });
  if (channels === 1) img = img.toColourspace('b-w');
  return img.png().toBuffer();
}

/** Writes a file, making its folder. */
export function put(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/**
 * Writes `n` shape images of R x R as `${dir}/${name(i)}` (default img{i}.png); returns the names.
 * @example const names = await writeShapes(dir, 8, 16);
 */
export async function writeShapes(dir: string, n: number, R: number, name = (i: number) => `img${String(i).padStart(3, '0')}.png`): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    put(join(dir, name(i)), await png(shapeImage(i, R), R, R, 3));
    names.push(name(i));
  }
  return names;
}

/**
 * A zip file from name -> bytes (level 0: stored, as dataset_tool.py; 6: deflated).
 * @example writeZip('d.zip', { 'a.png': bytes }, 0);
 */
export function writeZip(path: string, files: Record<string, Uint8Array | string>, level: 0 | 6 = 0): void {
  const entries = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
  put(path, zipSync(entries, { level }));
}
