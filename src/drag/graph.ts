// One DragGAN step as one graph (XingangPan/DragGAN viz/renderer.py, Renderer._render_drag_impl): synthesis
// with features, point tracking, motion supervision, the fixed-region term and the gradient of the loss with
// respect to ws. Features are resized to the image only where they are read (windows around the points), with
// the rows of F.interpolate's bilinear matrix (align_corners=False) built in the graph from the point positions.
import * as E from '../engine/index.js';
import { topoSort } from '../engine/graph.js';
import { argmin } from '../engine/ops/argmin.js';
import { InputOp } from '../engine/sources.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';

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

/** Column `i` of points [P, 2] as [P]. */
const coord = (p: E.Tensor, i: number): E.Tensor => E.squeeze(E.slice(p, [{ axis: 1, start: i, end: i + 1 }]), [1]);

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

/** Bilinear resize [1, C, hs, ws] -> [1, C, h, w] as F.interpolate (align_corners=False), as two products. */
export function resizeFeatures(feat: E.Tensor, h: number, w: number): E.Tensor {
  const [, , hs, ws] = feat.shape as number[];
  if (hs === h && ws === w) return feat;
  const Ry = E.constant(resizeMatrix(hs!, h), [h, hs!]);
  const RxT = E.transposeLast(E.constant(resizeMatrix(ws!, w), [w, ws!]));
  return E.matmul(E.matmul(Ry, feat), RxT); // [1, C, h, w]
}

/** The fixed-region term: mean |resize(feat) - resize(feat0)| * mask over [1, C, h, w] (mask 1 = fixed). */
export function fixedRegionLoss(feat: E.Tensor, feat0: E.Tensor, mask: E.Tensor, h: number, w: number): E.Tensor {
  const diff = E.abs(resizeFeatures(E.sub(feat, feat0), h, w)); // [1, C, h, w]: the resize is linear, so one resize of the difference
  return E.mean(E.mul(diff, E.reshape(mask, [1, 1, h, w])));
}

/** What a compiled drag step depends on (the program cache key). */
export interface DragGraphOptions {
  points: number;
  /** Radii in pixels (pixelRadii). */
  R1: number;
  R2: number;
  /** Weight of the fixed-region term; 0 leaves the term (and its inputs) out. */
  lambdaMask: number;
  /** Index in the official `feat` list; undefined: feat[5] (the renderer's), or the last map of a smaller network. */
  featureIdx?: number;
  noiseMode: NoiseMode;
  /** Rows of ws that are optimised (the first 6, or all when the network has fewer). */
  optimizedRows: number;
}

/** The graph input named `name` among those `out` depends on. */
function findInput(out: E.Tensor, name: string): E.Tensor {
  for (const node of topoSort([out])) if (node.op === InputOp && node.attrs.name === name) return node.outputs[0]!;
  throw new InputError(`the synthesis graph has no input '${name}'`);
}

/**
 * The drag step graph. Inputs: ws [1, numWs, wDim], points and targets [P, 2] ([row, col]), refs [P, C]
 * (handle features of the first frame), first [] (1: take refs from this frame at `points`), and with a mask
 * mask [h, w] (1 = fixed) and feat0 (the first frame's features). Outputs: img, tracked (points), handleFeatures
 * (the refs used), loss, grad (of the loss with respect to the optimised ws rows) and features (kept as feat0).
 * @example const prog = await engine.compile(dragStepGraph(G, { points: 1, R1: 1, R2: 3, lambdaMask: 0, ... }));
 */
export function dragStepGraph(G: Generator, o: DragGraphOptions): Record<string, E.Tensor> {
  const features = new Map<string, E.Tensor>();
  const { img } = G.synthesisGraph(1, { noiseMode: o.noiseMode, features });
  // feat[5] is b128 of a 512 network (a quarter of its size); a 32x32 network has only 4 maps, so take its last.
  const featureIdx = o.featureIdx ?? Math.min(5, features.size - 1);
  const feat = [...features.values()][featureIdx];
  if (!feat) throw new InputError(`DragGAN reads feature map ${featureIdx} (the official feat[${featureIdx}]) but this ${G.imgResolution}x${G.imgResolution} ${G.arch} network has ${features.size} (${[...features.keys()].join(', ')})`);
  const ws = findInput(img, 'ws');
  const h = G.imgResolution;
  const w = G.imgResolution;
  const C = feat.shape[1]!;
  const P = o.points;
  const points = E.input('points', [P, 2]);
  const targets = E.input('targets', [P, 2]);
  const first = E.input('first', []);
  // The handle features: this frame's at the points on the first step, else the ones fed.
  const own = E.reshape(featureBoxes(E.detach(feat), coord(points, 0), coord(points, 1), 1, h, w), [P, C]);
  const refs = E.where(E.greater(first, 0.5), own, E.input('refs', [P, C]));
  const tracked = trackPoints(E.detach(feat), points, refs, o.R2, h, w);
  let loss = motionLoss(feat, tracked, targets, o.R1, h, w);
  // The features are an output so the first step's can be kept as feat0 (a mask may be set later).
  const outputs: Record<string, E.Tensor> = { img, tracked, handleFeatures: refs, features: E.detach(feat) };
  if (o.lambdaMask !== 0) {
    // On the first step feat0 is this frame's own features: the term and its gradient are zero.
    const fix = fixedRegionLoss(feat, E.input('feat0', feat.shape), E.input('mask', [h, w]), h, w);
    loss = E.add(loss, E.mul(E.mul(fix, o.lambdaMask), E.sub(1, first)));
  }
  const [g] = E.grad(loss, [ws]);
  outputs.grad = E.slice(g!, [{ axis: 1, start: 0, end: o.optimizedRows }]); // [1, rows, wDim]
  outputs.loss = loss;
  return outputs;
}
