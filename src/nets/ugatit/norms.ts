// The normalisations of U-GAT-IT's generator (Kim et al. 2020, section 2.1.1; networks.py): InstanceNorm2d,
// LIN (Layer-Instance Normalization, networks.py's ILN) and AdaLIN (its adaptive form, networks.py's adaILN).
// LIN/AdaLIN use torch.var's unbiased variance (over H, W for the instance part; C, H, W for the layer part),
// whereas InstanceNorm2d uses the biased one. (An early revision of networks.py nested torch.var calls;
// the released code and the fixtures use the variance over all the axes at once.)
import * as E from '../../engine/index.js';

/** eps of nn.InstanceNorm2d, LIN and AdaLIN. */
export const NORM_EPS = 1e-5;

/** torch.var(x, dim=axes, keepdim=True): unbiased (divides by n - 1). */
export function unbiasedVar(x: E.Tensor, axes: readonly number[]): E.Tensor {
  const centred = E.sub(x, E.mean(x, axes, true));
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return E.div(E.sum(E.square(centred), axes, true), n - 1);
}

/**
 * nn.InstanceNorm2d(C) (affine=False): per sample and channel, biased variance over H and W.
 * @example instanceNorm(x) // [N, C, H, W]
 */
export function instanceNorm(x: E.Tensor): E.Tensor {
  const centred = E.sub(x, E.mean(x, [2, 3], true));
  const variance = E.mean(E.square(centred), [2, 3], true); // [N, C, 1, 1]
  return E.mul(centred, E.rsqrt(E.add(variance, NORM_EPS)));
}

/** rho * instance-normalised + (1 - rho) * layer-normalised x, as LIN and AdaLIN compute it. */
function mixNorms(x: E.Tensor, rho: E.Tensor): E.Tensor {
  const inMean = E.mean(x, [2, 3], true); // [N, C, 1, 1]
  const inVar = unbiasedVar(x, [2, 3]); // [N, C, 1, 1]
  const outIn = E.div(E.sub(x, inMean), E.sqrt(E.add(inVar, NORM_EPS)));
  const lnMean = E.mean(x, [1, 2, 3], true); // [N, 1, 1, 1]
  const lnVar = unbiasedVar(x, [1, 2, 3]); // [N, 1, 1, 1]
  const outLn = E.div(E.sub(x, lnMean), E.sqrt(E.add(lnVar, NORM_EPS)));
  return E.add(E.mul(rho, outIn), E.mul(E.sub(1, rho), outLn));
}

/**
 * LIN (networks.py's ILN): layer-instance norm with learned rho, gamma, beta (each [1, C, 1, 1]).
 * @example layerInstanceNorm(x, rho, gamma, beta)
 */
export function layerInstanceNorm(x: E.Tensor, rho: E.Tensor, gamma: E.Tensor, beta: E.Tensor): E.Tensor {
  return E.add(E.mul(mixNorms(x, rho), gamma), beta);
}

/**
 * AdaLIN (networks.py's adaILN): LIN whose gamma and beta ([N, C]) come from the generator's MLP.
 * @example adaLIN(x, rho, gamma, beta)
 */
export function adaLIN(x: E.Tensor, rho: E.Tensor, gamma: E.Tensor, beta: E.Tensor): E.Tensor {
  const [n, c] = [gamma.shape[0]!, gamma.shape[1]!];
  return E.add(E.mul(mixNorms(x, rho), E.reshape(gamma, [n, c, 1, 1])), E.reshape(beta, [n, c, 1, 1]));
}
