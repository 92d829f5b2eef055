// Motion supervision (Pan et al. 2023, DragGAN, section 3.2; viz/renderer.py): the L1 loss that pulls the
// features a small step along the drag direction, plus the fixed-region term that keeps the unmasked features.
import * as E from '../engine/index.js';
import { coord, featureBoxes, resizeFeatures, torchLinspace } from './features.js';

/**
 * Motion supervision: for each handle p with |t - p| > 1, the L1 distance between the features bilinearly
 * sampled at q + d (d = (t - p) / |t - p|, grid_sample with align_corners=True) and the detached resized
 * features at the pixels q of the disk |grid(q) - p| < R1, averaged per point and summed over points: the
 * gradient pulls the content at q + d towards what is at q now, which moves the content along d.
 */
export function motionLoss(feat: E.Tensor, points: E.Tensor, targets: E.Tensor, R1: number, h: number, w: number): E.Tensor {
  const C = feat.shape[1]!;
  const K1 = 2 * R1 + 2; // candidate rows p - R1 - 1 .. p + R1 (the grid runs ahead of the index by up to 1)
  const KB = K1 + 2; // with the neighbours the shifted samples read (q + d lies within one pixel of q)
  const [py, px] = [coord(points, 0), coord(points, 1)];
  const dy = E.sub(coord(targets, 0), py);
  const dx = E.sub(coord(targets, 1), px);
  const norm = E.sqrt(E.add(E.square(dx), E.square(dy)));
  const gate = E.cast(E.greater(norm, 1), 'float32'); // [P]
  const [ny, nx] = [E.div(dy, E.add(norm, 1e-7)), E.div(dx, E.add(norm, 1e-7))];
  const box = featureBoxes(feat, E.sub(py, R1 + 2), E.sub(px, R1 + 2), KB, h, w); // [P, C, KB, KB]
  const cand = E.slice(box, [{ axis: 2, start: 1, end: KB - 1 }, { axis: 3, start: 1, end: KB - 1 }]); // [P, C, K1, K1]
  // The disk: distance from the linspace grid to the point, below R1, inside the image.
  const k = E.constant(Array.from({ length: K1 }, (_, i) => i - R1 - 1), [1, K1]);
  const axisPart = (p: E.Tensor, n: number) => {
    const i = E.add(E.unsqueeze(p, 1), k); // [P, K1] pixel indices
    const inside = E.and(E.greaterEqual(i, 0), E.lessEqual(i, n - 1));
    const g = E.gather(E.constant(torchLinspace(0, n, n), [n]), E.cast(E.clip(i, 0, n - 1), 'int64'), 0);
    return { i, inside, sq: E.square(E.sub(g, E.unsqueeze(p, 1))) };
  };
  const ay = axisPart(py, h);
  const ax = axisPart(px, w);
  const dist = E.sqrt(E.add(E.unsqueeze(ay.sq, 2), E.unsqueeze(ax.sq, 1))); // [P, K1, K1]
  const inside = E.and(E.unsqueeze(ay.inside, 2), E.unsqueeze(ax.inside, 1));
  const disk = E.cast(E.and(E.less(dist, R1), inside), 'float32'); // [P, K1, K1]
  // Bilinear weights of the shifted samples over the box, separable in rows and columns.
  const sampleRows = (i: E.Tensor, d: E.Tensor, n: number, base: E.Tensor) => {
    const g = E.sub(E.mul(E.div(E.add(i, E.unsqueeze(d, 1)), n - 1), 2), 1); // grid coordinate as the renderer builds it
    const src = E.mul(E.div(E.add(g, 1), 2), n - 1); // grid_sample's unnormalisation (align_corners=True)
    const s0 = E.floor(src);
    const f = E.sub(src, s0);
    const at = E.constant(Array.from({ length: KB }, (_, j) => j), [KB]);
    const rel = E.sub(s0, E.unsqueeze(base, 1)); // [P, K1] box index of the first neighbour
    const hot = (r: E.Tensor) => E.cast(E.equal(E.unsqueeze(r, -1), at), 'float32'); // [P, K1, KB]
    return E.add(E.mul(hot(rel), E.unsqueeze(E.sub(1, f), -1)), E.mul(hot(E.add(rel, 1)), E.unsqueeze(f, -1)));
  };
  const Ty = sampleRows(ay.i, ny, h, E.sub(py, R1 + 2));
  const Tx = sampleRows(ax.i, nx, w, E.sub(px, R1 + 2));
  const shifted = E.matmul(E.matmul(E.unsqueeze(Ty, 1), box), E.unsqueeze(E.transposeLast(Tx), 1)); // [P, C, K1, K1] features at q + d
  const l1 = E.sum(E.mul(E.abs(E.sub(E.detach(cand), shifted)), E.unsqueeze(disk, 1)), [1, 2, 3]); // [P]
  const count = E.maximum(E.mul(E.sum(disk, [1, 2]), C), 1); // an empty disk (R1 = 0) gives no term instead of NaN
  return E.sum(E.mul(E.div(l1, count), gate));
}

/** The fixed-region term: mean |resize(feat) - resize(feat0)| * mask over [1, C, h, w] (mask 1 = fixed). */
export function fixedRegionLoss(feat: E.Tensor, feat0: E.Tensor, mask: E.Tensor, h: number, w: number): E.Tensor {
  const diff = E.abs(resizeFeatures(E.sub(feat, feat0), h, w)); // [1, C, h, w]: the resize is linear, so one resize of the difference
  return E.mean(E.mul(diff, E.reshape(mask, [1, 1, h, w])));
}
