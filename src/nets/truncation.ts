// The truncation trick (Karras et al. 2019, A Style-Based Generator Architecture for GANs, section 4.1 and
// appendix B): w' = w_avg + psi (w - w_avg), for the first `cutoff` ws. One graph form, used by the mapping of
// every architecture (G.mapping's truncation_psi / truncation_cutoff, G_style's truncation), and one array form
// (style_mixing.py, which truncates the mapped ws itself).
import * as E from '../engine/index.js';

/**
 * Truncation psi when none is given: 1, no truncation, as gen_images.py, style_mixing.py and gen_video.py
 * default it. (A DragGAN session started from a seed uses DragGAN's 0.7: DRAG_DEFAULTS in drag/session.ts.)
 */
export const DEFAULT_PSI = 1;

/**
 * torch.lerp(start, end, weight) as PyTorch computes it (the branch on |weight| < 0.5 keeps ulp-level agreement).
 * @example torchLerp(wAvg, ws, 0.7)
 */
export function torchLerp(start: E.Tensor, end: E.Tensor, weight: number): E.Tensor {
  return Math.abs(weight) < 0.5 ? E.add(start, E.mul(E.sub(end, start), weight)) : E.sub(end, E.mul(E.sub(end, start), 1 - weight));
}

/**
 * The truncation of ws [N, numWs, wDim] towards wAvg [wDim] by psi, for the first `cutoff` ws (null: all), as
 * `w_avg.lerp(x, psi)` (networks_stylegan2.py MappingNetwork) and G_style's lerp compute it; psi 1 is the identity.
 * @example truncation(ws, P.tensor('w_avg', [wDim]), 0.7, null) // [N, numWs, wDim]
 */
export function truncation(ws: E.Tensor, wAvg: E.Tensor, psi: number, cutoff: number | null): E.Tensor {
  const numWs = ws.shape[1]!;
  const n = cutoff === null ? numWs : Math.min(cutoff, numWs);
  if (psi === 1 || n <= 0) return ws;
  if (n === numWs) return torchLerp(wAvg, ws, psi);
  const [head, tail] = E.split(ws, 1, [n, numWs - n]);
  return E.concat([torchLerp(wAvg, head!, psi), tail!], 1); // [N, numWs, wDim]
}

/**
 * style_mixing.py's truncation, `w_avg + (w - w_avg) * psi`, rounded to float32 after each operation as PyTorch does.
 * @example truncateWs(ws, wAvg, 0.7) // ws [N, numWs, wDim], wAvg [wDim]
 */
export function truncateWs(ws: Float32Array, wAvg: Float32Array, psi: number): Float32Array {
  const f = Math.fround;
  const wDim = wAvg.length;
  const p = f(psi);
  return ws.map((w, i) => {
    const avg = wAvg[i % wDim]!;
    return f(avg + f(f(w - avg) * p));
  });
}
