// SynthesisInput of StyleGAN3 (training/networks_stylegan3.py): Fourier features whose frequencies and phases
// are rotated and translated by an affine map of w[:, 0] and by the user's inverse transform (`transform`).
import * as E from '../../engine/index.js';
import { fullyConnected } from '../stylegan2/mapping.js';
import type { WeightScope } from '../weights.js';
import type { InputPlan } from './config.js';

/**
 * affine_grid(theta, align_corners=False) with theta = diag(0.5 size / sampling_rate): the sample positions of
 * one axis, [(2j + 1) / size - 1] * 0.5 size / sampling_rate, computed as PyTorch does in float32.
 * @example gridAxis(36, 16)[0] // (1 / 36 - 1) * 36 / 32
 */
export function gridAxis(size: number, samplingRate: number): Float32Array {
  const scale = Math.fround((0.5 * size) / samplingRate);
  return Float32Array.from({ length: size }, (_, j) => {
    const lin = Math.fround(size === 1 ? -1 : -1 + (2 * j) / (size - 1)); // torch.linspace(-1, 1, size)
    return Math.fround(Math.fround(lin * Math.fround((size - 1) / size)) * scale);
  });
}

/**
 * SynthesisInput.forward: w [N, wDim] -> Fourier features [N, C, size, size]. `transform` is the user-specified
 * inverse transform [3, 3] (the stored buffer unless a run-time input is given).
 * @example synthesisInput(P.scope('input'), plan.input, ws0, P.tensor('input.transform'))
 */
export function synthesisInput(P: WeightScope, plan: InputPlan, w: E.Tensor, transform: E.Tensor): E.Tensor {
  const N = w.shape[0]!;
  const { channels: C, size, samplingRate, bandwidth } = plan;
  // Learned rotation and translation t = (r_c, r_s, t_x, t_y), normalised by |(r_c, r_s)|.
  let t = fullyConnected(P.scope('affine'), w); // [N, 4]
  const [rc, rs] = E.split(t, 1, [1, 1, 2]);
  t = E.div(t, E.sqrt(E.add(E.square(rc!), E.square(rs!))));
  const [c, s, tx, ty] = E.split(t, 1, [1, 1, 1, 1]) as [E.Tensor, E.Tensor, E.Tensor, E.Tensor]; // each [N, 1]
  // Rows 0-1 of m_r @ m_t (inverse rotation, then inverse translation), then the user transform.
  const row0 = E.concat([c, E.neg(s), E.add(E.mul(c, E.neg(tx)), E.mul(s, ty))], 1);
  const row1 = E.concat([s, c, E.sub(E.mul(s, E.neg(tx)), E.mul(c, ty))], 1);
  const m = E.matmul(E.stack([row0, row1], 1), transform); // [N, 2, 3]
  const [A, b] = E.split(m, 2, [2, 1]); // [N, 2, 2], [N, 2, 1]
  // Transform frequencies and phases.
  const freqs0 = P.tensor('freqs', [C, 2]);
  const phases = E.add(P.tensor('phases', [C]), E.squeeze(E.matmul(freqs0, b!), [2])); // [N, C]
  const freqs = E.matmul(freqs0, A!); // [N, C, 2]
  // Dampen out-of-band frequencies that the user transform may introduce.
  const norm = E.sqrt(E.sum(E.square(freqs), 2)); // [N, C]
  const amplitudes = E.clip(E.sub(1, E.div(E.sub(norm, bandwidth), samplingRate / 2 - bandwidth)), 0, 1);
  // Fourier features on the sampling grid: sin(2 pi (x fx + y fy + phase)), x along width, y along height.
  const [fx, fy] = E.split(freqs, 2, [1, 1]).map((f) => E.reshape(f, [N, C, 1, 1]));
  const gx = E.constant(gridAxis(size, samplingRate), [1, 1, 1, size]);
  const gy = E.constant(gridAxis(size, samplingRate), [1, 1, size, 1]);
  let x = E.add(E.add(E.mul(gx, fx!), E.mul(gy, fy!)), E.reshape(phases, [N, C, 1, 1])); // [N, C, size, size]
  x = E.mul(E.sin(E.mul(x, 2 * Math.PI)), E.reshape(amplitudes, [N, C, 1, 1]));
  // Trainable channel mapping (weight / sqrt(C)) as a 1x1 convolution.
  const weight = E.mul(E.reshape(P.tensor('weight', [C, C]), [C, C, 1, 1]), 1 / Math.sqrt(C));
  return E.conv2d(x, weight); // [N, C, size, size]
}
