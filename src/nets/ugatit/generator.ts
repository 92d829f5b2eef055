// ResnetGenerator of U-GAT-IT (networks.py): down-sampling encoder with instance norm and residual blocks,
// the CAM head, the gamma/beta MLP (light or full), AdaLIN residual blocks and LIN up-sampling.
import * as E from '../../engine/index.js';
import type { WeightScope } from '../weights.js';
import { N_DOWNSAMPLING, type UgatitConfig } from './config.js';
import { camHead, conv, reflectionPad, upsampleNearest2x } from './layers.js';
import { adaLIN, instanceNorm, layerInstanceNorm } from './norms.js';

/** What the official forward returns: (out, cam_logit, heatmap). */
export interface UgatitOutputs {
  out: E.Tensor; // [N, 3, H, W] in [-1, 1]
  camLogit: E.Tensor; // [N, 2]
  heatmap: E.Tensor; // [N, 1, h, w]
}

/** ResnetBlock: x + IN(conv(pad(relu(IN(conv(pad(x))))))). */
function resnetBlock(P: WeightScope, x: E.Tensor): E.Tensor {
  const h = E.relu(instanceNorm(conv(reflectionPad(x, 1), P.tensor('conv_block.1.weight'))));
  return E.add(x, instanceNorm(conv(reflectionPad(h, 1), P.tensor('conv_block.5.weight'))));
}

/** ResnetAdaILNBlock: the bottleneck block (AdaLIN) whose norms take gamma and beta from the MLP. */
function resnetAdaIlnBlock(P: WeightScope, x: E.Tensor, gamma: E.Tensor, beta: E.Tensor): E.Tensor {
  const h = E.relu(adaLIN(conv(reflectionPad(x, 1), P.tensor('conv1.weight')), P.tensor('norm1.rho'), gamma, beta));
  return E.add(adaLIN(conv(reflectionPad(h, 1), P.tensor('conv2.weight')), P.tensor('norm2.rho'), gamma, beta), x);
}

/**
 * ResnetGenerator.forward on x [N, 3, imgSize, imgSize] with weights named as in its state_dict.
 * @example const { out, camLogit, heatmap } = resnetGenerator(weights.scope(''), cfg, E.input('x', [1, 3, 256, 256]));
 */
export function resnetGenerator(P: WeightScope, cfg: UgatitConfig, x: E.Tensor): UgatitOutputs {
  const n = x.shape[0]!;
  const D = P.scope('DownBlock');
  // Encoder: 7x7 conv, then two stride-2 3x3 convs, each followed by instance norm and ReLU.
  let h = E.relu(instanceNorm(conv(reflectionPad(x, 3), D.tensor('1.weight'))));
  for (let i = 0; i < N_DOWNSAMPLING; i++) h = E.relu(instanceNorm(conv(reflectionPad(h, 1), D.tensor(`${5 + 4 * i}.weight`), undefined, 2)));
  for (let b = 0; b < cfg.nRes; b++) h = resnetBlock(D.scope(`${12 + b}`), h); // [N, 4ch, H/4, W/4]

  // Class activation map: the generator's auxiliary classifier tells the domains apart.
  const gapW = P.tensor('gap_fc.weight');
  const gmpW = P.tensor('gmp_fc.weight');
  const cam = camHead(h, { gapLogitW: gapW, gmpLogitW: gmpW, gapW, gmpW, conv1x1W: P.tensor('conv1x1.weight'), conv1x1B: P.tensor('conv1x1.bias') }, E.relu);
  h = cam.x;

  // Gamma and beta of AdaLIN from an MLP on pooled (light) or flattened (full) features.
  let f = cfg.light ? E.mean(h, [2, 3]) : E.reshape(h, [n, h.size / n]); // [N, 4ch] or [N, 4ch*H*W/16]
  f = E.relu(E.linear(f, P.tensor('FC.0.weight')));
  f = E.relu(E.linear(f, P.tensor('FC.2.weight')));
  const gamma = E.linear(f, P.tensor('gamma.weight')); // [N, 4ch]
  const beta = E.linear(f, P.tensor('beta.weight')); // [N, 4ch]
  for (let b = 1; b <= cfg.nRes; b++) h = resnetAdaIlnBlock(P.scope(`UpBlock1_${b}`), h, gamma, beta);

  // Decoder: nearest up-sampling, 3x3 conv, LIN, ReLU (twice), then a 7x7 conv and tanh.
  const U = P.scope('UpBlock2');
  for (let i = 0; i < N_DOWNSAMPLING; i++) {
    h = conv(reflectionPad(upsampleNearest2x(h), 1), U.tensor(`${2 + 5 * i}.weight`));
    const norm = U.scope(`${3 + 5 * i}`);
    h = E.relu(layerInstanceNorm(h, norm.tensor('rho'), norm.tensor('gamma'), norm.tensor('beta')));
  }
  const out = E.tanh(conv(reflectionPad(h, 3), U.tensor(`${1 + 5 * N_DOWNSAMPLING}.weight`)));
  return { out, camLogit: cam.camLogit, heatmap: cam.heatmap };
}
