// The Frechet distance between two Gaussians fitted to features (Heusel et al. 2017, "GANs Trained by a Two
// Time-Scale Update Rule Converge to a Local Nash Equilibrium"): |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)).
// The official code takes scipy.linalg.sqrtm of the product; its trace is the sum of the square roots of the
// eigenvalues of S1 S2, which (S1 = L L^T, pivoted Cholesky) are those of the symmetric L^T S2 L. All in float64.
import { InputError } from '../errors.js';
import { type Gemm64, gemm64Js } from './gemm64.js';
import { congruence, pivotedCholesky, symmetricEigenvalues } from './linalg.js';

/** A Gaussian fitted to features: mean [D] and covariance [D, D] (row-major), float64. */
export interface Gaussian {
  mean: Float64Array;
  cov: Float64Array;
}

/**
 * Tr((S1 S2)^(1/2)) for symmetric positive semi-definite S1, S2 [D, D]: the sum of sqrt(max(lambda, 0)) over the
 * eigenvalues of L^T S2 L where S1 = L L^T (a singular S1, fewer samples than features, gives a thinner L).
 * @example await traceSqrtProduct(identity, identity, D) // D
 */
export async function traceSqrtProduct(s1: Float64Array, s2: Float64Array, D: number, gemm: Gemm64 = gemm64Js): Promise<number> {
  const { L, rank, perm } = pivotedCholesky({ n: D, data: s1 });
  if (rank === 0) return 0;
  const p2 = new Float64Array(D * D); // S2 in the pivot order of L
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) p2[i * D + j] = s2[perm[i]! * D + perm[j]!]!;
  const M = await congruence({ n: D, data: p2 }, L, rank, gemm);
  let tr = 0;
  for (const lambda of symmetricEigenvalues(M)) tr += Math.sqrt(Math.max(lambda, 0));
  return tr;
}

/**
 * The Frechet distance between N(mu1, S1) and N(mu2, S2), as pytorch-fid's calculate_frechet_distance and
 * stylegan2-ada's compute_fid (which differ only in how the covariances were estimated: MeanCovStats.gaussian).
 * `gemm` does the float64 products (onnxruntime's with OrtGemm64; JavaScript by default).
 * @example const fid = await frechetDistance(fakes.gaussian(0), reals.gaussian(0));
 */
export async function frechetDistance(a: Gaussian, b: Gaussian, gemm: Gemm64 = gemm64Js): Promise<number> {
  const D = a.mean.length;
  if (b.mean.length !== D || a.cov.length !== D * D || b.cov.length !== D * D) {
    throw new InputError(`FID: the two feature sets differ in size (${D} and ${b.mean.length} features)`);
  }
  let m = 0;
  let tr = 0;
  for (let i = 0; i < D; i++) {
    m += (a.mean[i]! - b.mean[i]!) ** 2;
    tr += a.cov[i * D + i]! + b.cov[i * D + i]!;
  }
  return m + tr - 2 * (await traceSqrtProduct(a.cov, b.cov, D, gemm));
}
