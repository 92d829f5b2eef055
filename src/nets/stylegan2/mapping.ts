// StyleGAN2 mapping network z -> w (training/networks_stylegan2.py: FullyConnectedLayer, MappingNetwork).
import * as E from '../../engine/index.js';
import { type Activation, biasAct } from '../ops/bias-act.js';
import { truncation } from '../truncation.js';
import type { WeightScope } from '../weights.js';
import type { MappingConfig } from './config.js';

export interface FullyConnectedOptions {
  activation?: Activation;
  lrMultiplier?: number;
}

/**
 * FullyConnectedLayer: x @ (weight * lr/sqrt(in))^T + bias * lr, then the activation.
 * @example fullyConnected(P.scope('fc0'), x, { activation: 'lrelu', lrMultiplier: 0.01 })
 */
export function fullyConnected(P: WeightScope, x: E.Tensor, o: FullyConnectedOptions = {}): E.Tensor {
  const inFeatures = x.shape[x.rank - 1]!;
  const lr = o.lrMultiplier ?? 1;
  const act = o.activation ?? 'linear';
  const w = E.mul(P.tensor('weight'), lr / Math.sqrt(inFeatures)); // [out, in]
  let b = P.has('bias') ? P.tensor('bias') : null;
  if (b && lr !== 1) b = E.mul(b, lr);
  if (act === 'linear' && b) return E.add(E.matmul(x, E.transposeLast(w)), b);
  return biasAct(E.matmul(x, E.transposeLast(w)), { b: b ?? undefined, act });
}

/** x * rsqrt(mean(x^2, dim 1) + eps). */
export function normalize2ndMoment(x: E.Tensor, eps = 1e-8): E.Tensor {
  return E.mul(x, E.rsqrt(E.add(E.mean(E.square(x), 1, true), eps)));
}

export interface MappingOptions {
  /** Truncation psi (1 = none). */
  psi?: number;
  /** Truncate only the first `cutoff` ws (null = all). */
  cutoff?: number | null;
}

/**
 * MappingNetwork.forward: z [N, zDim] and c [N, cDim] -> ws [N, numWs, wDim] (or [N, wDim] when numWs is null).
 * @example mappingNetwork(cfg, weights.scope('mapping'), z, null, { psi: 0.7 })
 */
export function mappingNetwork(cfg: MappingConfig, P: WeightScope, z: E.Tensor | null, c: E.Tensor | null, o: MappingOptions = {}): E.Tensor {
  // Embed, normalize, and concat inputs.
  let x: E.Tensor | null = null;
  if (cfg.zDim > 0) x = normalize2ndMoment(z!);
  if (cfg.cDim > 0) {
    const y = normalize2ndMoment(fullyConnected(P.scope('embed'), c!));
    x = x ? E.concat([x, y], 1) : y;
  }
  // Main layers.
  for (let idx = 0; idx < cfg.numLayers; idx++) {
    x = fullyConnected(P.scope(`fc${idx}`), x!, { activation: cfg.activation, lrMultiplier: cfg.lrMultiplier });
  }
  if (cfg.numWs === null) return x!;
  // Broadcast, then apply truncation.
  const N = x!.shape[0]!;
  let ws = E.expand(E.unsqueeze(x!, 1), [N, cfg.numWs, cfg.wDim]);
  const psi = o.psi ?? 1;
  if (psi !== 1) ws = truncation(ws, P.tensor('w_avg', [cfg.wDim]), psi, o.cutoff ?? null);
  return ws;
}
