// Building blocks shared by U-GAT-IT's generator and discriminators: reflection padding, conv with bias,
// nearest up-sampling and the class-activation-map (CAM) head.
import * as E from '../../engine/index.js';

/** nn.ReflectionPad2d(p) on [N, C, H, W]. */
export function reflectionPad(x: E.Tensor, p: number): E.Tensor {
  return E.pad(x, [[0, 0], [0, 0], [p, p], [p, p]], 'reflect');
}

/** Conv2d with an optional per-channel bias. */
export function conv(x: E.Tensor, w: E.Tensor, bias?: E.Tensor, stride = 1): E.Tensor {
  const y = E.conv2d(x, w, { stride });
  return bias ? E.add(y, E.reshape(bias, [1, bias.shape[0]!, 1, 1])) : y;
}

/** nn.Upsample(scale_factor=2, mode='nearest'): each pixel repeated 2x2. */
export function upsampleNearest2x(x: E.Tensor): E.Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const y = E.expand(E.reshape(x, [n, c, h, 1, w, 1]), [n, c, h, 2, w, 2]); // [N, C, H, 2, W, 2]
  return E.reshape(y, [n, c, 2 * h, 2 * w]);
}

/** Weights of a CAM head: logits use gapLogitW/gmpLogitW, feature scaling uses gapW/gmpW (they differ under spectral norm). */
export interface CamWeights {
  gapLogitW: E.Tensor; // [1, C]
  gmpLogitW: E.Tensor; // [1, C]
  gapW: E.Tensor; // [1, C]
  gmpW: E.Tensor; // [1, C]
  conv1x1W: E.Tensor; // [C, 2C, 1, 1]
  conv1x1B: E.Tensor; // [C]
}

/**
 * The CAM head of both networks: global average and max pooling give the auxiliary logits; features weighted
 * by those classifiers' weights are concatenated, mixed by a 1x1 conv and activated; the heatmap is their channel sum.
 * @example const { x, camLogit, heatmap } = camHead(x, w, E.relu);
 */
export function camHead(x: E.Tensor, w: CamWeights, act: (t: E.Tensor) => E.Tensor): { x: E.Tensor; camLogit: E.Tensor; heatmap: E.Tensor } {
  const c = x.shape[1]!;
  const gapLogit = E.linear(E.mean(x, [2, 3]), w.gapLogitW); // [N, 1]
  const gap = E.mul(x, E.reshape(w.gapW, [1, c, 1, 1]));
  const gmpLogit = E.linear(E.max(x, [2, 3]), w.gmpLogitW); // [N, 1]
  const gmp = E.mul(x, E.reshape(w.gmpW, [1, c, 1, 1]));
  const camLogit = E.concat([gapLogit, gmpLogit], 1); // [N, 2]
  const y = act(conv(E.concat([gap, gmp], 1), w.conv1x1W, w.conv1x1B)); // [N, C, H, W]
  return { x: y, camLogit, heatmap: E.sum(y, 1, true) };
}
