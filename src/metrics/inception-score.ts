// The Inception score (Salimans et al. 2016) as stylegan2-ada's inception_score.py: class probabilities p(y|x)
// from the 1008 logits without the output bias, split into `numSplits` consecutive parts; per part
// exp(mean_x KL(p(y|x) || p(y))) with p(y) the part's mean; the mean and (population) std over parts.
// Streamed: each part needs only sum_x sum_y p log p and the column sums of p, so no probabilities are kept.
// Probabilities are computed in float64 from the float32 logits (0 log 0 taken as 0).
import type { TensorData } from '../io/tensor.js';
import type { FeatureSink } from './feature-stats.js';
import { imagesFor, type MetricContext, type MetricDef } from './metric.js';

/** Inception logits (the 1008 classes of the 2015 graph). */
export const LOGIT_DIMS = 1008;

/**
 * Per-split sums of the Inception score, fed logits in image order.
 * @example const s = new InceptionScoreSplits(50000, 10, 1008); s.append(logits, 64, 1008); s.score();
 */
export class InceptionScoreSplits implements FeatureSink {
  count = 0;
  private readonly plogp: Float64Array; // [splits]
  private readonly colSum: Float64Array; // [splits, classes]
  private readonly p: Float64Array;
  constructor(
    readonly max: number,
    readonly numSplits: number,
    readonly classes: number,
  ) {
    this.plogp = new Float64Array(numSplits);
    this.colSum = new Float64Array(numSplits * classes);
    this.p = new Float64Array(classes);
  }

  /** The split of image i: part s holds images [s N / S, (s + 1) N / S) (integer division). */
  private splitOf(i: number): number {
    let s = Math.floor((i * this.numSplits) / this.max);
    while (s > 0 && Math.floor((s * this.max) / this.numSplits) > i) s--;
    while (s + 1 < this.numSplits && Math.floor(((s + 1) * this.max) / this.numSplits) <= i) s++;
    return s;
  }

  append(x: Float32Array, rows: number, dims: number): void {
    const take = Math.max(0, Math.min(rows, this.max - this.count));
    const C = this.classes;
    if (dims !== C) throw new Error(`InceptionScoreSplits: expected ${C} logits, got ${dims}`);
    const p = this.p;
    for (let r = 0; r < take; r++) {
      const s = this.splitOf(this.count + r);
      let top = -Infinity;
      for (let c = 0; c < C; c++) top = Math.max(top, x[r * C + c]!);
      let z = 0;
      for (let c = 0; c < C; c++) z += p[c] = Math.exp(x[r * C + c]! - top);
      let acc = 0;
      for (let c = 0; c < C; c++) {
        const pc = p[c]! / z;
        if (pc > 0) acc += pc * Math.log(pc);
        this.colSum[s * C + c] += pc;
      }
      this.plogp[s] += acc;
    }
    this.count += take;
  }

  /**
   * Mean and standard deviation of the per-split scores.
   * @example const { mean, std } = s.score();
   */
  score(): { mean: number; std: number } {
    const C = this.classes;
    const scores: number[] = [];
    for (let s = 0; s < this.numSplits; s++) {
      const n = Math.floor(((s + 1) * this.max) / this.numSplits) - Math.floor((s * this.max) / this.numSplits);
      if (n === 0) continue;
      let cross = 0; // sum_x sum_y p log p(y)
      for (let c = 0; c < C; c++) {
        const col = this.colSum[s * C + c]!;
        if (col > 0) cross += col * Math.log(col / n);
      }
      scores.push(Math.exp((this.plogp[s]! - cross) / n));
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const std = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    return { mean, std };
  }

  save(): Record<string, TensorData> {
    return {};
  }

  load(): void {}
}

/** An IS metric: `numSplits` parts of the generated images (the official 10). */
function isMetric(name: string, summary: string, defaultNum: number | null): MetricDef {
  const def: MetricDef = {
    name,
    summary,
    nets: ['inception'],
    reals: 'labels',
    twoSets: true,
    defaultNum,
    collect: (ctx: MetricContext) => {
      const splits = new InceptionScoreSplits(imagesFor(def, ctx, ctx.fakes!.count), 10, LOGIT_DIMS);
      return {
        requests: [{ source: 'fakes', kind: 'logits', sink: splits }],
        results: async () => {
          const { mean, std } = splits.score();
          return { [`${name}_mean`]: mean, [`${name}_std`]: std };
        },
      };
    },
  };
  return def;
}

export const IS_METRICS: readonly MetricDef[] = [
  isMetric('is50k', 'Inception score of 50k generated images, 10 splits (stylegan2-ada)', 50000),
  isMetric('is', 'Inception score of every image of a set (--data), 10 splits', null),
];
