// KID, the kernel Inception distance (Binkowski et al. 2018, "Demystifying MMD GANs"), as stylegan2-ada's
// kernel_inception_distance.py: the unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3,
// averaged over `numSubsets` random subsets of m = min(#generated, #real, maxSubsetSize) images of each set.
// The subsets are drawn before the features exist (legacy NumPy RandomState(seed): per subset
// choice(#generated, m, replace=False), then choice(#real, m, replace=False)), so only chosen rows are kept.
import * as E from '../engine/index.js';
import { randint } from '../random/randint.js';
import { RandomState } from '../random/numpy-random.js';
import { SelectedRows } from './feature-stats.js';
import { POOL3_DIMS } from './fid-metrics.js';
import { imagesFor, type MetricContext, type MetricDef } from './metric.js';

/** Subset indices: gen[s], real[s] are subset s's images, each of length m. */
export interface KidSubsets {
  m: number;
  gen: Int32Array[];
  real: Int32Array[];
}

/**
 * numpy's legacy RandomState.choice(n, m, replace=False): permutation(n)[:m] (Fisher-Yates from the end,
 * masked rejection draws).
 * @example choiceWithoutReplacement(new RandomState(0), 10, 3) // as np.random.RandomState(0).choice(10, 3, replace=False)
 */
export function choiceWithoutReplacement(rs: RandomState, n: number, m: number): Int32Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randint(rs, 0, i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, m);
}

/**
 * The subsets of the official loop, drawn in its order from RandomState(seed).
 * @example const s = kidSubsets(50000, 70000, 100, 1000, 0); // s.m = 1000
 */
export function kidSubsets(numGen: number, numReal: number, numSubsets: number, maxSubsetSize: number, seed: number): KidSubsets {
  const m = Math.min(numGen, numReal, maxSubsetSize);
  const rs = new RandomState(seed);
  const gen: Int32Array[] = [];
  const real: Int32Array[] = [];
  for (let s = 0; s < numSubsets; s++) {
    gen.push(choiceWithoutReplacement(rs, numGen, m));
    real.push(choiceWithoutReplacement(rs, numReal, m));
  }
  return { m, gen, real };
}

/** The kernel sums of one subset pair: sum of k over x x, y y, x y and the two diagonals. */
interface KernelSums {
  xx: number;
  yy: number;
  xy: number;
  diagXX: number;
  diagYY: number;
}

/** One subset's term: (sum(a) - trace(a)) / (m - 1) - 2 sum(b) / m, with a = k(x, x) + k(y, y), b = k(x, y). */
const subsetTerm = (k: KernelSums, m: number): number => (k.xx + k.yy - k.diagXX - k.diagYY) / (m - 1) - (k.xy * 2) / m;

/**
 * The reference path: kernel sums in float64 over x, y [m, D] (row-major).
 * @example kernelSumsRef(x, y, 6, 2048)
 */
export function kernelSumsRef(x: Float32Array, y: Float32Array, m: number, D: number): KernelSums {
  const k = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let dot = 0;
    for (let d = 0; d < D; d++) dot += a[i * D + d]! * b[j * D + d]!;
    return (dot / D + 1) ** 3;
  };
  const out: KernelSums = { xx: 0, yy: 0, xy: 0, diagXX: 0, diagYY: 0 };
  for (let i = 0; i < m; i++) {
    out.diagXX += k(x, i, x, i);
    out.diagYY += k(y, i, y, i);
    for (let j = 0; j < m; j++) {
      out.xx += k(x, i, x, j);
      out.yy += k(y, i, y, j);
      out.xy += k(x, i, y, j);
    }
  }
  return out;
}

/** The fast path: the three m x m kernel matrices as float32 MatMuls on the engine (numpy's x @ x.T is float32 too). */
function kernelGraph(m: number, D: number): Record<string, E.Tensor> {
  const x = E.input('x', [m, D]);
  const y = E.input('y', [m, D]);
  const kern = (a: E.Tensor, b: E.Tensor) => E.pow(E.add(E.div(E.matmul(a, E.transposeLast(b)), D), 1), 3); // [m, m]
  const diag = (a: E.Tensor) => E.pow(E.add(E.div(E.sum(E.square(a), 1), D), 1), 3); // [m]
  return { xx: E.sum(kern(x, x)), yy: E.sum(kern(y, y)), xy: E.sum(kern(x, y)), diagXX: E.sum(diag(x)), diagYY: E.sum(diag(y)) };
}

/**
 * KID from the chosen rows of both sets: the mean subset term divided by m.
 * @example const kid = await kernelInceptionDistance(engine, gen, real, subsets, 2048);
 */
export async function kernelInceptionDistance(engine: E.Engine | null, gen: SelectedRows, real: SelectedRows, subsets: KidSubsets, D: number): Promise<number> {
  const { m } = subsets;
  const gather = (rows: SelectedRows, idx: Int32Array) => {
    const out = new Float32Array(m * D);
    idx.forEach((i, r) => out.set(rows.row(i), r * D));
    return out;
  };
  const prog = engine ? await engine.compile(kernelGraph(m, D)) : null;
  try {
    let t = 0;
    for (let s = 0; s < subsets.gen.length; s++) {
      const x = gather(gen, subsets.gen[s]!);
      const y = gather(real, subsets.real[s]!);
      let k: KernelSums;
      if (prog) {
        const o = await prog.run({ x, y });
        k = { xx: o.xx!.data[0]!, yy: o.yy!.data[0]!, xy: o.xy!.data[0]!, diagXX: o.diagXX!.data[0]!, diagYY: o.diagYY!.data[0]! };
      } else k = kernelSumsRef(x, y, m, D);
      t += subsetTerm(k, m);
    }
    return t / subsets.gen.length / m;
  } finally {
    await prog?.dispose();
  }
}

/** A KID metric (the official subsets: 100 of at most 1000 images; real images at most `maxReal`). */
function kidMetric(name: string, summary: string, defaultNum: number | null, maxReal: number): MetricDef {
  const def: MetricDef = {
    name,
    summary,
    nets: ['inception'],
    reals: 'required',
    twoSets: true,
    defaultNum,
    collect: (ctx: MetricContext) => {
      const numGen = imagesFor(def, ctx, ctx.fakes!.count);
      const numReal = Math.min(ctx.reals!.count, maxReal);
      const subsets = kidSubsets(numGen, numReal, 100, 1000, ctx.seed);
      const gen = new SelectedRows(Int32Array.from(subsets.gen.flatMap((s) => [...s])), numGen, POOL3_DIMS);
      const real = new SelectedRows(Int32Array.from(subsets.real.flatMap((s) => [...s])), numReal, POOL3_DIMS);
      return {
        requests: [
          { source: 'fakes', kind: 'pool3', sink: gen },
          { source: 'reals', kind: 'pool3', sink: real, cacheTag: `kid:${ctx.seed}:${numGen}:${numReal}` },
        ],
        results: async () => ({ [name]: await kernelInceptionDistance(ctx.engine, gen, real, subsets, POOL3_DIMS) }),
      };
    },
  };
  return def;
}

export const KID_METRICS: readonly MetricDef[] = [
  kidMetric('kid50k_full', 'kernel Inception distance, 50k generated vs up to 1M real images (stylegan2-ada)', 50000, 1000000),
  kidMetric('kid', 'kernel Inception distance between every image of both sets (the kid50k_full formula)', null, 1000000),
];
