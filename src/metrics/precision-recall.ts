// Improved precision and recall (Kynkaanniemi et al. 2019) as stylegan2-ada's precision_recall.py: features held
// in float16; each manifold point's radius is the distance to its k-th nearest neighbour (the (k+1)-th smallest
// distance, itself included); a probe is inside when some manifold point's radius reaches it. Precision: the
// generated probes against the real manifold; recall: the real probes against the generated manifold.
// Distances as torch.cdist's matrix-product form, sqrt(max(|a|^2 + |b|^2 - 2 a.b, 0)), in float32 on the engine,
// then rounded to float16 as the official float16 cdist returns them.
import * as E from '../engine/index.js';
import { AllFeatures } from './feature-stats.js';
import { roundHalf } from './half.js';
import { imagesFor, type MetricContext, type MetricDef } from './metric.js';

/** VGG16 fc2 width. */
export const FC2_DIMS = 4096;

/** Row and column block sizes of the distance matrix (results do not depend on them). */
export interface PrBlocks {
  rows: number;
  cols: number;
}
const DEFAULT_BLOCKS: PrBlocks = { rows: 1024, cols: 4096 };

/** Computes float32 distances between blocks of rows [B, D] and columns [C, D]: the fast path or the float64 reference. */
type DistanceFn = (rows: Float32Array, cols: Float32Array, nr: number, nc: number) => Promise<Float32Array>;

/** The reference distances: direct float64 sums of squared differences, rounded to float32. */
export function distancesRef(D: number): DistanceFn {
  return async (rows, cols, nr, nc) => {
    const out = new Float32Array(nr * nc);
    for (let i = 0; i < nr; i++)
      for (let j = 0; j < nc; j++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += (rows[i * D + d]! - cols[j * D + d]!) ** 2;
        out[i * nc + j] = Math.sqrt(s);
      }
    return out;
  };
}

/** The fast path: one compiled program per block shape (rows padded to the block). */
function distancesOnEngine(engine: E.Engine, D: number, blocks: PrBlocks): { fn: DistanceFn; dispose: () => Promise<void> } {
  const cache = new E.ProgramCache(engine);
  const fn: DistanceFn = async (rows, cols, nr, nc) => {
    const prog = await cache.get(`cdist:${blocks.rows}x${blocks.cols}`, () => {
      const a = E.input('a', [blocks.rows, D]);
      const b = E.input('b', [blocks.cols, D]);
      const an = E.sum(E.square(a), 1, true); // [R, 1]
      const bn = E.reshape(E.sum(E.square(b), 1), [1, blocks.cols]); // [1, C]
      const d2 = E.add(E.sub(an, E.mul(E.matmul(a, E.transposeLast(b)), 2)), bn); // [R, C]
      return { d: E.sqrt(E.maximum(d2, 1e-30)) };
    });
    const pad = (x: Float32Array, n: number, to: number) => {
      if (n === to) return x;
      const padded = new Float32Array(to * D); // zero rows, ignored below
      padded.set(x.subarray(0, n * D));
      return padded;
    };
    const d = (await prog.run({ a: pad(rows, nr, blocks.rows), b: pad(cols, nc, blocks.cols) })).d!.data; // [R, C]
    if (nc === blocks.cols && nr === blocks.rows) return d;
    const out = new Float32Array(nr * nc);
    for (let i = 0; i < nr; i++) out.set(d.subarray(i * blocks.cols, i * blocks.cols + nc), i * nc);
    return out;
  };
  return { fn, dispose: () => cache.dispose() };
}

/** The (k+1)-th smallest distance from each manifold row to the whole manifold, rounded to float16. */
async function radii(manifold: AllFeatures, k: number, dist: DistanceFn, blocks: PrBlocks): Promise<Float64Array> {
  const n = manifold.count;
  const kth = new Float64Array(n);
  for (let r0 = 0; r0 < n; r0 += blocks.rows) {
    const nr = Math.min(blocks.rows, n - r0);
    const rows = manifold.rowsFloat32(r0, nr);
    const smallest = Array.from({ length: nr }, () => new Float64Array(k + 1).fill(Infinity));
    for (let c0 = 0; c0 < n; c0 += blocks.cols) {
      const nc = Math.min(blocks.cols, n - c0);
      const d = await dist(rows, manifold.rowsFloat32(c0, nc), nr, nc);
      for (let i = 0; i < nr; i++) {
        const s = smallest[i]!;
        for (let j = 0; j < nc; j++) {
          const v = d[i * nc + j]!;
          if (v >= s[k]!) continue;
          let p = k; // insertion into the sorted k + 1 smallest
          while (p > 0 && s[p - 1]! > v) {
            s[p] = s[p - 1]!;
            p--;
          }
          s[p] = v;
        }
      }
    }
    for (let i = 0; i < nr; i++) kth[r0 + i] = roundHalf(smallest[i]![k]!); // monotone rounding: kth of rounded = rounded kth
  }
  return kth;
}

/** The float32 distances d with round_half(d) <= r, for a float16 radius r: d < (r + next float16) / 2, or equal and r even. */
function insideBound(r: number): { bound: number; inclusive: boolean } {
  if (!Number.isFinite(r)) return { bound: r, inclusive: true };
  const up = nextHalfUp(r);
  const mid = (r + up) / 2;
  return { bound: mid, inclusive: halfMantissaEven(r) };
}

/** The next float16 value above a finite non-negative float16 value. */
function nextHalfUp(r: number): number {
  if (r < 2 ** -14) return r + 2 ** -24; // subnormal spacing
  let e = Math.floor(Math.log2(r));
  if (2 ** e > r) e--; // log2 may round across a power of two
  if (2 ** (e + 1) <= r) e++;
  return r + 2 ** (e - 10);
}

/** Whether a float16 value's last mantissa bit is 0 (ties round to it). */
function halfMantissaEven(r: number): boolean {
  const ulp = nextHalfUp(r) - r;
  return Math.round(r / ulp) % 2 === 0;
}

/** Fraction of probes inside some manifold point's radius. */
async function coverage(manifold: AllFeatures, kth: Float64Array, probes: AllFeatures, dist: DistanceFn, blocks: PrBlocks): Promise<number> {
  const bounds = Array.from(kth, insideBound);
  let inside = 0;
  for (let r0 = 0; r0 < probes.count; r0 += blocks.rows) {
    const nr = Math.min(blocks.rows, probes.count - r0);
    const rows = probes.rowsFloat32(r0, nr);
    const hit = new Uint8Array(nr);
    for (let c0 = 0; c0 < manifold.count; c0 += blocks.cols) {
      const nc = Math.min(blocks.cols, manifold.count - c0);
      const d = await dist(rows, manifold.rowsFloat32(c0, nc), nr, nc);
      for (let i = 0; i < nr; i++) {
        if (hit[i]) continue;
        for (let j = 0; j < nc; j++) {
          const v = d[i * nc + j]!;
          const b = bounds[c0 + j]!;
          if (v < b.bound || (v === b.bound && b.inclusive)) {
            hit[i] = 1;
            break;
          }
        }
      }
    }
    for (const h of hit) inside += h;
  }
  return inside / probes.count;
}

/**
 * Precision and recall of generated features against real ones (both kept as float16), neighbourhood size k.
 * `engine` null uses the float64 reference distances.
 * @example const { precision, recall } = await precisionRecall(engine, reals, fakes, 3);
 */
export async function precisionRecall(engine: E.Engine | null, real: AllFeatures, gen: AllFeatures, k: number, blocks: PrBlocks = DEFAULT_BLOCKS): Promise<{ precision: number; recall: number }> {
  const D = real.dims;
  const fast = engine ? distancesOnEngine(engine, D, blocks) : null;
  const dist = fast?.fn ?? distancesRef(D);
  try {
    const precision = await coverage(real, await radii(real, k, dist, blocks), gen, dist, blocks);
    const recall = await coverage(gen, await radii(gen, k, dist, blocks), real, dist, blocks);
    return { precision, recall };
  } finally {
    await fast?.dispose();
  }
}

/** A precision/recall metric on VGG16 fc2 features (k = 3; real images at most `maxReal`). */
function prMetric(name: string, summary: string, defaultNum: number | null, maxReal: number): MetricDef {
  const def: MetricDef = {
    name,
    summary,
    nets: ['vgg16'],
    reals: 'required',
    twoSets: true,
    defaultNum,
    collect: (ctx: MetricContext) => {
      const gen = new AllFeatures(imagesFor(def, ctx, ctx.fakes!.count), FC2_DIMS, true);
      const real = new AllFeatures(Math.min(ctx.reals!.count, maxReal), FC2_DIMS, true);
      return {
        requests: [
          { source: 'fakes', kind: 'fc2', sink: gen },
          { source: 'reals', kind: 'fc2', sink: real, cacheTag: `all-f16:${real.max}` },
        ],
        results: async () => {
          const { precision, recall } = await precisionRecall(ctx.engine, real, gen, 3);
          return { [`${name}_precision`]: precision, [`${name}_recall`]: recall };
        },
      };
    },
  };
  return def;
}

export const PR_METRICS: readonly MetricDef[] = [
  prMetric('pr50k3_full', 'precision and recall (k = 3) on VGG16 fc2 features, 50k generated vs up to 200k real (stylegan2-ada)', 50000, 200000),
  prMetric('pr', 'precision and recall (k = 3) on VGG16 fc2 features between every image of both sets', null, 200000),
];
