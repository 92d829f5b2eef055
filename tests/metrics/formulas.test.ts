// The metric formulas on cases with known answers: the linear algebra under FID, FID itself, KID's unbiased
// estimator, the Inception score, precision/recall, PPL's reduction and slerp, float16 rounding, and NumPy's
// legacy choice (KID's subsets), against values NumPy gives.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AllFeatures, MeanCovStats, SelectedRows } from '../../src/metrics/feature-stats.js';
import { frechetDistance, traceSqrtProduct } from '../../src/metrics/fid.js';
import { type Gemm64, gemm64Js, OrtGemm64 } from '../../src/metrics/gemm64.js';
import { roundHalf } from '../../src/metrics/half.js';
import { InceptionScoreSplits } from '../../src/metrics/inception-score.js';
import { choiceWithoutReplacement, kernelInceptionDistance, kidSubsets } from '../../src/metrics/kid.js';
import { pivotedCholesky, symmetricEigenvalues } from '../../src/metrics/linalg.js';
import { pplFromDistances, slerp } from '../../src/metrics/ppl.js';
import { precisionRecall } from '../../src/metrics/precision-recall.js';
import { createEngine } from '../../src/node.js';
import { RandomState } from '../../src/random/numpy-random.js';
import { rng } from '../engine/harness.js';

const engine = createEngine({ threads: 2 });
after(() => engine.dispose());

const close = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);

/** A random symmetric PSD matrix B B^T of rank r (B [n, r] uniform in [-1, 1]). */
function psd(n: number, r: number, seed: number): Float64Array {
  const u = rng(seed);
  const B = Float64Array.from({ length: n * r }, () => 2 * u() - 1);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < r; k++) A[i * n + j] += B[i * r + k]! * B[j * r + k]!;
  return A;
}
const trace = (A: Float64Array, n: number) => Array.from({ length: n }, (_, i) => A[i * n + i]!).reduce((a, b) => a + b, 0);

describe('linear algebra (float64)', () => {
  it('eigenvalues of known symmetric matrices; trace and Frobenius norm kept on a random one', () => {
    assert.deepEqual(Array.from(symmetricEigenvalues({ n: 2, data: Float64Array.of(2, 1, 1, 2) })).map((v) => Math.round(v * 1e12) / 1e12).sort(), [1, 3]);
    assert.deepEqual(Array.from(symmetricEigenvalues({ n: 3, data: Float64Array.of(5, 0, 0, 0, -1, 0, 0, 0, 2) })).sort((a, b) => a - b), [-1, 2, 5]);
    const n = 40;
    const u = rng(7);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = 2 * u() - 1;
    const ev = symmetricEigenvalues({ n, data: A });
    close(ev.reduce((a, b) => a + b, 0), trace(A, n), 1e-10, 'sum of eigenvalues = trace');
    close(ev.reduce((a, b) => a + b * b, 0), A.reduce((a, b) => a + b * b, 0), 1e-9, 'sum of squares = Frobenius^2');
  });

  it('pivoted Cholesky finds the rank of a singular PSD matrix and reproduces it', () => {
    const n = 30;
    const A = psd(n, 7, 3);
    const { L, rank, perm } = pivotedCholesky({ n, data: A });
    assert.equal(rank, 7);
    let err = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < rank; k++) s += L[i * rank + k]! * L[j * rank + k]!;
        err = Math.max(err, Math.abs(s - A[perm[i]! * n + perm[j]!]!));
      }
    assert.ok(err < 1e-12, `|L L^T - P A P^T| = ${err}`);
  });

  it('Tr sqrt(S1 S2): diagonal, equal and scaled matrices', async () => {
    close(await traceSqrtProduct(Float64Array.of(4, 0, 0, 9), Float64Array.of(1, 0, 0, 4), 2), 2 + 6, 1e-12, 'diagonal');
    const n = 25;
    const S = psd(n, 25, 11);
    close(await traceSqrtProduct(S, S, n), trace(S, n), 1e-9, 'Tr sqrt(S S) = Tr S');
    close(await traceSqrtProduct(S, S.map((v) => 4 * v), n), 2 * trace(S, n), 1e-9, 'Tr sqrt(S 4S) = 2 Tr S');
    const low = psd(n, 5, 12);
    close(await traceSqrtProduct(low, low, n), trace(low, n), 1e-9, 'rank 5 of 25');
  });
});

describe('FID', () => {
  /** Features [n, D] from a seeded generator, optionally shifted. */
  const features = (n: number, D: number, seed: number, shift = 0) => {
    const rs = new RandomState(seed);
    return Float32Array.from(rs.randn(n, D), (v, i) => v * (1 + (i % D) / D) + shift);
  };
  const stats = async (x: Float32Array, n: number, D: number, pieces = 1, gemm: Gemm64 = gemm64Js) => {
    const s = new MeanCovStats(n, D, gemm, 64);
    const per = Math.ceil(n / pieces);
    for (let r = 0; r < n; r += per) await s.append(x.subarray(r * D, Math.min(n, r + per) * D), Math.min(per, n - r), D);
    await s.finish();
    return s;
  };

  it('a set against itself is 0; a shifted copy is |shift|^2; streaming in pieces changes nothing', async () => {
    const D = 16;
    const x = features(200, D, 1);
    const g = (await stats(x, 200, D)).gaussian(0);
    close(await frechetDistance(g, g), 0, 1e-9, 'FID(x, x)');
    close(await frechetDistance((await stats(x, 200, D, 7)).gaussian(0), g), 0, 1e-9, 'streamed in 7 pieces');
    const shifted = Float32Array.from(x, (v) => v + 0.5);
    close(await frechetDistance((await stats(shifted, 200, D)).gaussian(0), g), D * 0.25, 1e-4, 'FID(x + 0.5, x)');
  });

  it("onnxruntime's float64 products (fast path) give what the JavaScript ones (reference path) give", async () => {
    const gemm = await OrtGemm64.create(engine);
    try {
      assert.ok(gemm.native, `fell back to JavaScript: ${gemm.fallbackReason}`);
      const u = rng(9);
      const a = Float64Array.from({ length: 37 * 53 }, () => u() - 0.5);
      const b = Float64Array.from({ length: 53 * 29 }, () => u() - 0.5);
      const fast = await gemm.gemm(a, b, 37, 53, 29);
      const ref = await gemm64Js(a, b, 37, 53, 29);
      fast.forEach((v, i) => close(v, ref[i]!, 1e-13, `C[${i}]`));
      const D = 40;
      const g1 = (await stats(features(300, D, 2), 300, D, 3, gemm.gemm)).gaussian(0);
      const g2 = (await stats(features(300, D, 3, 0.1), 300, D, 3, gemm.gemm)).gaussian(0);
      const j1 = (await stats(features(300, D, 2), 300, D, 3)).gaussian(0);
      const j2 = (await stats(features(300, D, 3, 0.1), 300, D, 3)).gaussian(0);
      close(await frechetDistance(g1, g2, gemm.gemm), await frechetDistance(j1, j2), 1e-9, 'FID fast vs reference');
    } finally {
      await gemm.dispose();
    }
  });

  it('diagonal Gaussians: |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2; ddof 0 and 1 as get_mean_cov and numpy.cov', async () => {
    const mean = Float64Array.of(1, 2, 3);
    const diag = (v: number[]) => Float64Array.from({ length: 9 }, (_, k) => (k % 4 === 0 ? v[k / 4]! : 0));
    const a = { mean, cov: diag([1, 4, 9]) };
    const b = { mean: Float64Array.of(1, 0, 3), cov: diag([4, 4, 1]) };
    close(await frechetDistance(a, b), 4 + 1 + 0 + 4, 1e-12, 'closed form');
    const s = new MeanCovStats(4, 1);
    await s.append(Float32Array.of(1, 2, 3, 6), 4, 1); // mean 3, squared deviations 4 + 1 + 0 + 9 = 14
    await s.finish();
    close(s.gaussian(0).cov[0]!, 14 / 4, 1e-12, 'ddof 0');
    close(s.gaussian(1).cov[0]!, 14 / 3, 1e-12, 'ddof 1');
  });
});

describe('KID', () => {
  const rows = (values: number[], D: number) => {
    const s = new SelectedRows(Int32Array.from({ length: values.length / D }, (_, i) => i), values.length / D, D);
    s.append(Float32Array.from(values), values.length / D, D);
    return s;
  };
  it('the unbiased MMD^2 by hand: x = {1, 1}, y = {0, 0} (D = 1): 8 + 1 - 2 * 1 = 7', async () => {
    const subsets = kidSubsets(2, 2, 3, 1000, 0);
    assert.equal(subsets.m, 2);
    for (const e of [null, engine]) close(await kernelInceptionDistance(e, rows([1, 1], 1), rows([0, 0], 1), subsets, 1), 7, 1e-6, e ? 'engine' : 'reference');
  });
  it('engine and float64 paths agree on random features with subsets smaller than the sets', async () => {
    const u = rng(5);
    const gen = rows(Array.from({ length: 30 * 8 }, () => u()), 8);
    const real = rows(Array.from({ length: 40 * 8 }, () => u() + 0.1), 8);
    const subsets = kidSubsets(30, 40, 5, 10, 1);
    close(await kernelInceptionDistance(engine, gen, real, subsets, 8), await kernelInceptionDistance(null, gen, real, subsets, 8), 1e-5, 'KID');
  });
  it("subsets are NumPy's legacy choice(n, m, replace=False)", () => {
    assert.deepEqual(Array.from(choiceWithoutReplacement(new RandomState(0), 10, 10)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    const rs = new RandomState(3);
    assert.deepEqual(Array.from(choiceWithoutReplacement(rs, 20, 5)), [14, 2, 1, 17, 4]);
    assert.deepEqual(Array.from(choiceWithoutReplacement(rs, 7, 7)), [3, 5, 4, 1, 2, 0, 6]);
  });
});

describe('Inception score', () => {
  it('uniform predictions score 1; N confident distinct classes per split score N', () => {
    const uniform = new InceptionScoreSplits(8, 2, 5);
    uniform.append(new Float32Array(8 * 5), 8, 5);
    assert.deepEqual(uniform.score(), { mean: 1, std: 0 });
    const C = 12;
    const logits = new Float32Array(20 * C);
    for (let i = 0; i < 20; i++) logits[i * C + (i % 10)] = 60; // split 0: images 0-9, split 1: 10-19, classes 0-9 each
    const s = new InceptionScoreSplits(20, 2, C);
    s.append(logits.subarray(0, 7 * C), 7, C);
    s.append(logits.subarray(7 * C), 13, C);
    const { mean, std } = s.score();
    close(mean, 10, 1e-9, 'IS');
    close(std, 0, 1e-9, 'std');
  });
});

describe('precision/recall', () => {
  /** Points on the x axis (D = 2). */
  const line = (xs: number[]) => {
    const f = new AllFeatures(xs.length, 2, true);
    f.append(Float32Array.from(xs.flatMap((x) => [x, 0])), xs.length, 2);
    return f;
  };
  it('by hand: reals 0..9 (k = 3 radii 3 at the ends, 2 inside); generated 5.5 inside, 100-102 outside', async () => {
    const real = line([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const gen = line([5.5, 100, 101, 102]);
    for (const e of [null, engine]) assert.deepEqual(await precisionRecall(e, real, gen, 3, { rows: 3, cols: 5 }), { precision: 0.25, recall: 1 });
  });
});

describe('PPL reduction, slerp, float16', () => {
  it("keeps the distances between NumPy's 1st ('lower') and 99th ('higher') percentiles", () => {
    const d = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(pplFromDistances(d), 50.5);
    assert.equal(pplFromDistances([...d, 1e9]), 51);
  });
  it('slerp stays on the unit sphere and ends at the unit endpoints', () => {
    const a = [3, 4, 0];
    const b = [0, 0, 2];
    assert.deepEqual(Array.from(slerp(a, b, 0)).map((v) => Math.round(v * 1e12) / 1e12), [0.6, 0.8, 0]);
    assert.deepEqual(Array.from(slerp(a, b, 1)).map((v) => Math.round(v * 1e12) / 1e12), [0, 0, 1]);
    const mid = slerp(a, b, 0.5);
    close(Math.hypot(...mid), 1, 1e-12, '|slerp|');
    close(mid[2]!, Math.SQRT1_2, 1e-12, 'halfway angle');
  });
  it('float16 rounding as numpy.float16 (ties to even, subnormals, overflow)', () => {
    const cases: [number, number][] = [
      [0.1, 0.0999755859375], [65519, 65504], [65520, Infinity], [2 ** -25, 0], [3 * 2 ** -25, 1.1920928955078125e-7],
      [1 / 3, 0.333251953125], [-2.5e-6, -2.5033950805664062e-6], [1e-8, 0], [70000, Infinity], [2049, 2048], [2051, 2052], [0.5 + 2 ** -12, 0.5],
    ];
    for (const [x, want] of cases) assert.equal(roundHalf(x), want, `float16(${x})`);
  });
});
