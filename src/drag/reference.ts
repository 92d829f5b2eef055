// The drag step's pieces written directly from the official renderer in plain TypeScript (float64, full
// resized feature maps, explicit pixel lists): the reference path the graph (fast path) is tested against.
import { pixelRadii, resizeMatrix, torchLinspace } from './features.js';

/** A feature map [C, H, W] in row-major order. */
export interface FeatureMap {
  C: number;
  H: number;
  W: number;
  data: Float64Array;
}

/** F.interpolate(mode='bilinear', align_corners=False) of a feature map to [C, h, w]. */
export function resizeRef(f: FeatureMap, h: number, w: number): FeatureMap {
  const Ry = resizeMatrix(f.H, h);
  const Rx = resizeMatrix(f.W, w);
  const out = new Float64Array(f.C * h * w);
  for (let c = 0; c < f.C; c++)
    for (let y = 0; y < h; y++)
      for (let a = 0; a < f.H; a++) {
        const ry = Ry[y * f.H + a]!;
        if (!ry) continue;
        for (let x = 0; x < w; x++)
          for (let b = 0; b < f.W; b++) {
            const rx = Rx[x * f.W + b]!;
            if (rx) out[(c * h + y) * w + x] += ry * rx * f.data[(c * f.H + a) * f.W + b]!;
          }
      }
  return { C: f.C, H: h, W: w, data: out };
}

/** The feature vector at pixel (r, c). */
export function featureAt(f: FeatureMap, r: number, c: number): Float64Array {
  return Float64Array.from({ length: f.C }, (_, k) => f.data[(k * f.H + r) * f.W + c]!);
}

/**
 * Point tracking as the renderer: the pixel of the window of radius R2 (clipped to the image) whose feature is
 * nearest to `ref`, the first in row-major order.
 */
export function trackRef(f: FeatureMap, point: readonly [number, number], ref: Float64Array, R2: number): [number, number] {
  const up = Math.max(point[0] - R2, 0);
  const down = Math.min(point[0] + R2 + 1, f.H);
  const left = Math.max(point[1] - R2, 0);
  const right = Math.min(point[1] + R2 + 1, f.W);
  let best: [number, number] = [up, left];
  let bestD = Infinity;
  for (let r = up; r < down; r++)
    for (let c = left; c < right; c++) {
      let d = 0;
      for (let k = 0; k < f.C; k++) d += (f.data[(k * f.H + r) * f.W + c]! - ref[k]!) ** 2;
      if (Math.sqrt(d) < bestD) [best, bestD] = [[r, c], Math.sqrt(d)];
    }
  return best;
}

/** grid_sample (bilinear, zeros padding, align_corners=True) of a feature map at pixel coordinates (y, x). */
export function sampleRef(f: FeatureMap, y: number, x: number): Float64Array {
  const out = new Float64Array(f.C);
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  for (const [yy, xx, wt] of [
    [y0, x0, (y0 + 1 - y) * (x0 + 1 - x)],
    [y0, x0 + 1, (y0 + 1 - y) * (x - x0)],
    [y0 + 1, x0, (y - y0) * (x0 + 1 - x)],
    [y0 + 1, x0 + 1, (y - y0) * (x - x0)],
  ] as const) {
    if (yy < 0 || yy >= f.H || xx < 0 || xx >= f.W) continue;
    for (let k = 0; k < f.C; k++) out[k]! += wt * f.data[(k * f.H + yy) * f.W + xx]!;
  }
  return out;
}

/** The pixels (i, j) of the renderer's motion-supervision disk: |(linspace[i], linspace[j]) - p| < R1. */
export function diskRef(h: number, w: number, p: readonly [number, number], R1: number): [number, number][] {
  const X = torchLinspace(0, h, h);
  const Y = torchLinspace(0, w, w);
  const out: [number, number][] = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) if (Math.sqrt((X[i]! - p[0]) ** 2 + (Y[j]! - p[1]) ** 2) < R1) out.push([i, j]);
  return out;
}

/**
 * The motion supervision loss on resized features and its gradient with respect to them (the features at q
 * detached): sum over points with |t - p| > 1 of mean |F(q) - F(q + d)| over the disk and the channels, the
 * gradient flowing into the four pixels each F(q + d) is sampled from.
 */
export function motionLossRef(f: FeatureMap, points: readonly (readonly [number, number])[], targets: readonly (readonly [number, number])[], R1: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(f.data.length);
  let loss = 0;
  points.forEach((p, j) => {
    const dx = targets[j]![1] - p[1];
    const dy = targets[j]![0] - p[0];
    const norm = Math.hypot(dx, dy);
    if (!(norm > 1)) return;
    const disk = diskRef(f.H, f.W, p, R1);
    const n = disk.length * f.C;
    if (n === 0) return;
    for (const [i, k] of disk) {
      const y = i + dy / (norm + 1e-7);
      const x = k + dx / (norm + 1e-7);
      const t = sampleRef(f, y, x);
      for (let c = 0; c < f.C; c++) {
        const diff = f.data[(c * f.H + i) * f.W + k]! - t[c]!;
        loss += Math.abs(diff) / n;
        // d|F(q) - F(q + d)| / dF(q + d) = -sign(diff), spread over the bilinear corners.
        for (const [yy, xx, wt] of bilinearCorners(y, x)) {
          if (yy >= 0 && yy < f.H && xx >= 0 && xx < f.W) grad[(c * f.H + yy) * f.W + xx]! -= (Math.sign(diff) * wt) / n;
        }
      }
    }
  });
  return { loss, grad };
}

/** The four pixels around (y, x) with their bilinear weights. */
function bilinearCorners(y: number, x: number): [number, number, number][] {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  return [
    [y0, x0, (y0 + 1 - y) * (x0 + 1 - x)],
    [y0, x0 + 1, (y0 + 1 - y) * (x - x0)],
    [y0 + 1, x0, (y - y0) * (x0 + 1 - x)],
    [y0 + 1, x0 + 1, (y - y0) * (x - x0)],
  ];
}

/** The radii for an image of height h (re-exported for the tests' convenience). */
export { pixelRadii };
