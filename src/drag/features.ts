// Features where DragGAN reads them (XingangPan/DragGAN viz/renderer.py): the renderer resizes the feature map
// to the image with F.interpolate (bilinear, align_corners=False); here only the windows around the points are
// resized, with the rows of that bilinear matrix built in the graph from the point positions. Also the
// renderer's radii and coordinate grid.
import * as E from '../engine/index.js';

/** Python's round(): halves to even (round(0.5) = 0, round(1.5) = 2), as the renderer's radii use. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Radii in image pixels: round(r / 512 * h) for motion supervision (r1) and tracking (r2). */
export function pixelRadii(h: number, r1: number, r2: number): { R1: number; R2: number } {
  return { R1: pyRound((r1 / 512) * h), R2: pyRound((r2 / 512) * h) };
}

/** torch.linspace(0, n, n) in float32 (the renderer's coordinate grid: value i * n / (n - 1), not i). */
export function torchLinspace(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const step = Math.fround((end - start) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? Math.fround(start + Math.fround(step * i)) : Math.fround(end - Math.fround(step * (steps - i - 1)));
  return out;
}

/**
 * Rows of the bilinear resize matrix of F.interpolate(mode='bilinear', align_corners=False) from `inSize` to
 * `outSize`, for integer output coordinates `y` [..., K]: [..., K, inSize]. Rows of coordinates outside
 * [0, outSize) are zero, which gives grid_sample's zero padding for free.
 * @example resizeRows(rows, 128, 512) // [P, K, 128]
 */
export function resizeRows(y: E.Tensor, inSize: number, outSize: number): E.Tensor {
  const scale = Math.fround(inSize / outSize);
  const src = E.maximum(E.sub(E.mul(E.add(y, 0.5), scale), 0.5), 0); // source coordinate, clamped at 0 as torch does
  const h0 = E.floor(src);
  const h1 = E.minimum(E.add(h0, 1), inSize - 1);
  const l1 = E.sub(src, h0);
  const l0 = E.sub(1, l1);
  const inside = E.cast(E.and(E.greaterEqual(y, 0), E.lessEqual(y, outSize - 1)), 'float32');
  const grid = E.constant(Array.from({ length: inSize }, (_, i) => i), [inSize]);
  const onehot = (idx: E.Tensor) => E.cast(E.equal(E.unsqueeze(idx, -1), grid), 'float32'); // [..., K, inSize]
  const rows = E.add(E.mul(onehot(h0), E.unsqueeze(l0, -1)), E.mul(onehot(h1), E.unsqueeze(l1, -1)));
  return E.mul(rows, E.unsqueeze(inside, -1));
}

/** The whole resize matrix [outSize, inSize] (F.interpolate bilinear, align_corners=False), in float32 as torch computes it. */
export function resizeMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = Math.fround(inSize / outSize);
  for (let y = 0; y < outSize; y++) {
    const src = Math.max(Math.fround(Math.fround(scale * (y + 0.5)) - 0.5), 0);
    const h0 = Math.floor(src);
    const h1 = Math.min(h0 + 1, inSize - 1);
    const l1 = Math.fround(src - h0);
    m[y * inSize + h0] += Math.fround(1 - l1);
    m[y * inSize + h1] += l1;
  }
  return m;
}

/**
 * Resized features in square boxes: rows r0[p] + k and columns c0[p] + k for k < K, from features
 * feat [1, C, hs, ws] resized to [h, w]: [P, C, K, K] (zeros outside the image).
 */
export function featureBoxes(feat: E.Tensor, r0: E.Tensor, c0: E.Tensor, K: number, h: number, w: number): E.Tensor {
  const [, , hs, ws] = feat.shape as number[];
  const k = E.constant(Array.from({ length: K }, (_, i) => i), [1, K]);
  const Ry = resizeRows(E.add(E.unsqueeze(r0, 1), k), hs!, h); // [P, K, hs]
  const Rx = resizeRows(E.add(E.unsqueeze(c0, 1), k), ws!, w); // [P, K, ws]
  const rows = E.matmul(E.unsqueeze(Ry, 1), feat); // [P, C, K, ws]
  return E.matmul(rows, E.unsqueeze(E.transposeLast(Rx), 1)); // [P, C, K, K]
}

/** Bilinear resize [1, C, hs, ws] -> [1, C, h, w] as F.interpolate (align_corners=False), as two products. */
export function resizeFeatures(feat: E.Tensor, h: number, w: number): E.Tensor {
  const [, , hs, ws] = feat.shape as number[];
  if (hs === h && ws === w) return feat;
  const Ry = E.constant(resizeMatrix(hs!, h), [h, hs!]);
  const RxT = E.transposeLast(E.constant(resizeMatrix(ws!, w), [w, ws!]));
  return E.matmul(E.matmul(Ry, feat), RxT); // [1, C, h, w]
}

/** Column `i` of points [P, 2] as [P]. */
export const coord = (p: E.Tensor, i: number): E.Tensor => E.squeeze(E.slice(p, [{ axis: 1, start: i, end: i + 1 }]), [1]);
