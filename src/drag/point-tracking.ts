// Point tracking (Pan et al. 2023, DragGAN, section 3.3; viz/renderer.py): each handle moves to the nearest
// neighbour of its first-frame feature in a square window around it.
import * as E from '../engine/index.js';
import { argmin } from '../engine/ops/argmin.js';
import { coord, featureBoxes } from './features.js';

/**
 * Point tracking: each handle moves to the pixel of the (2R2+1)^2 window around it whose resized feature is
 * nearest (L2) to its reference feature; the first such pixel in row-major order. Returns points [P, 2].
 */
export function trackPoints(feat: E.Tensor, points: E.Tensor, refs: E.Tensor, R2: number, h: number, w: number): E.Tensor {
  const P = points.shape[0]!;
  const K = 2 * R2 + 1;
  const [py, px] = [coord(points, 0), coord(points, 1)];
  const box = featureBoxes(feat, E.sub(py, R2), E.sub(px, R2), K, h, w); // [P, C, K, K]
  const dist = E.l2(E.sub(box, E.unsqueeze(E.unsqueeze(refs, 2), 3)), 1); // [P, K, K]
  const k = E.constant(Array.from({ length: K }, (_, i) => i - R2), [1, K]);
  const inRange = (c: E.Tensor, n: number) => {
    const v = E.add(E.unsqueeze(c, 1), k); // [P, K]
    return E.and(E.greaterEqual(v, 0), E.lessEqual(v, n - 1));
  };
  const valid = E.and(E.unsqueeze(inRange(py, h), 2), E.unsqueeze(inRange(px, w), 1)); // [P, K, K]
  const idx = E.cast(argmin(E.reshape(E.where(valid, dist, 3e38), [P, K * K]), 1), 'float32'); // [P]
  const dr = E.floor(E.div(idx, K));
  const dc = E.sub(idx, E.mul(dr, K));
  return E.stack([E.add(E.sub(py, R2), dr), E.add(E.sub(px, R2), dc)], 1);
}
