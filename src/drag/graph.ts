// One DragGAN step as one graph (XingangPan/DragGAN viz/renderer.py, Renderer._render_drag_impl): synthesis
// with features, point tracking (point-tracking.ts), motion supervision and the fixed-region term
// (motion-supervision.ts), and the gradient of the loss with respect to ws.
import * as E from '../engine/index.js';
import { topoSort } from '../engine/graph.js';
import { InputOp } from '../engine/sources.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { coord, featureBoxes } from './features.js';
import { fixedRegionLoss, motionLoss } from './motion-supervision.js';
import { trackPoints } from './point-tracking.js';

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
