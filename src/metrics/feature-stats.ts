// What the metrics keep of a feature stream (stylegan2-ada metric_utils.FeatureStats, split by use so each keeps
// only what its formula needs): the float64 running sums of FID (mean, covariance, never the features), all
// rows (float32, or float16 as precision/recall's official code keeps them), chosen rows (KID's subsets, drawn
// before the features exist), and the per-split sums of the Inception score.
import { halfToNumber, type TensorData } from '../io/tensor.js';
import type { Gaussian } from './fid.js';
import { toHalfBits } from './half.js';

/** A consumer of feature rows [rows, dims] (float32), in image order; it keeps at most `max` rows. */
export interface FeatureSink {
  readonly max: number;
  readonly count: number;
  append(x: Float32Array, rows: number, dims: number): void;
  /** The arrays to cache (a data set's statistics), and their restoration. */
  save(): Record<string, TensorData>;
  load(arrays: ReadonlyMap<string, TensorData>): void;
}

/** How many of `rows` incoming rows a sink holding `count` of `max` still takes. */
const room = (s: { count: number; max: number }, rows: number): number => Math.max(0, Math.min(rows, s.max - s.count));

/** Checks that every array a sink restores is there with the expected element count. */
function restored(arrays: ReadonlyMap<string, TensorData>, name: string, length: number): TensorData {
  const t = arrays.get(name);
  if (!t || t.data.length !== length) throw new Error(`cached feature statistics: '${name}' missing or of the wrong size`);
  return t;
}

/**
 * Running float64 sums of the features and of their outer products (FeatureStats capture_mean_cov).
 * @example const s = new MeanCovStats(50000, 2048); s.append(x, 64, 2048); const g = s.gaussian(0);
 */
export class MeanCovStats implements FeatureSink {
  count = 0;
  private readonly sum: Float64Array;
  private readonly outer: Float64Array; // upper triangle of sum x x^T, row-major [D, D]
  constructor(
    readonly max: number,
    readonly dims: number,
  ) {
    this.sum = new Float64Array(dims);
    this.outer = new Float64Array(dims * dims);
  }

  append(x: Float32Array, rows: number, dims: number): void {
    const take = room(this, rows);
    const D = this.dims;
    if (dims !== D) throw new Error(`MeanCovStats: expected ${D} features, got ${dims}`);
    const row = new Float64Array(D);
    for (let r = 0; r < take; r++) {
      for (let i = 0; i < D; i++) row[i] = x[r * D + i]!;
      for (let i = 0; i < D; i++) {
        const xi = row[i]!;
        this.sum[i] += xi;
        if (xi === 0) continue; // pool3 is post-ReLU average: many exact zeros
        const o = i * D;
        for (let j = i; j < D; j++) this.outer[o + j] += xi * row[j]!;
      }
    }
    this.count += take;
  }

  /**
   * Mean and covariance. ddof 0 divides by N (stylegan2-ada's get_mean_cov); ddof 1 by N - 1 (numpy.cov, as
   * pytorch-fid).
   * @example frechetDistance(fakes.gaussian(0), reals.gaussian(0))
   */
  gaussian(ddof: 0 | 1): Gaussian {
    const D = this.dims;
    const n = this.count;
    if (n - ddof <= 0) throw new Error(`a covariance needs at least ${ddof + 1} images, got ${n}`);
    const mean = Float64Array.from(this.sum, (s) => s / n);
    const cov = new Float64Array(D * D);
    for (let i = 0; i < D; i++)
      for (let j = i; j < D; j++) cov[i * D + j] = cov[j * D + i] = (this.outer[i * D + j]! - n * mean[i]! * mean[j]!) / (n - ddof);
    return { mean, cov };
  }

  save(): Record<string, TensorData> {
    return {
      count: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(this.count)) },
      sum: { dtype: 'float64', shape: [this.dims], data: this.sum },
      outer: { dtype: 'float64', shape: [this.dims, this.dims], data: this.outer },
    };
  }

  load(arrays: ReadonlyMap<string, TensorData>): void {
    this.count = Number(restored(arrays, 'count', 1).data[0]);
    this.sum.set(restored(arrays, 'sum', this.dims).data as Float64Array);
    this.outer.set(restored(arrays, 'outer', this.dims * this.dims).data as Float64Array);
  }
}

/**
 * Every row (FeatureStats capture_all), preallocated for `max` rows; `half` keeps float16 bit patterns (as
 * precision/recall's `.to(torch.float16)`), which halves the memory of 4096-feature sets.
 * @example const all = new AllFeatures(1000, 4096, true); all.append(x, 64, 4096); all.rowsFloat32(0, 10);
 */
export class AllFeatures implements FeatureSink {
  count = 0;
  private readonly data: Float32Array | Uint16Array;
  constructor(
    readonly max: number,
    readonly dims: number,
    readonly half = false,
  ) {
    this.data = half ? new Uint16Array(max * dims) : new Float32Array(max * dims);
  }

  append(x: Float32Array, rows: number, dims: number): void {
    const take = room(this, rows);
    if (dims !== this.dims) throw new Error(`AllFeatures: expected ${this.dims} features, got ${dims}`);
    const off = this.count * dims;
    if (this.half) toHalfBits(x.subarray(0, take * dims), (this.data as Uint16Array).subarray(off, off + take * dims));
    else this.data.set(x.subarray(0, take * dims), off);
    this.count += take;
  }

  /** Rows [start, start + n) as float32 (float16 values converted exactly). */
  rowsFloat32(start: number, n: number): Float32Array {
    const D = this.dims;
    const src = this.data.subarray(start * D, (start + n) * D);
    if (!this.half) return src as Float32Array;
    const out = new Float32Array(src.length);
    const bits = src as Uint16Array;
    for (let i = 0; i < src.length; i++) out[i] = halfToNumber(bits[i]!);
    return out;
  }

  save(): Record<string, TensorData> {
    return { features: { dtype: this.half ? 'float16' : 'float32', shape: [this.count, this.dims], data: this.data.subarray(0, this.count * this.dims) } };
  }

  load(arrays: ReadonlyMap<string, TensorData>): void {
    const t = arrays.get('features');
    if (!t || t.shape[1] !== this.dims || t.shape[0]! > this.max) throw new Error("cached feature statistics: 'features' missing or of the wrong size");
    this.data.set(t.data as Float32Array | Uint16Array);
    this.count = t.shape[0]!;
  }
}

/**
 * The rows at chosen image indices only (KID draws its subsets' indices before the features are computed, so a
 * million-image data set keeps at most subsets x subset size rows).
 * @example const s = new SelectedRows(Int32Array.of(3, 7), 10, 2048); ... s.row(7)
 */
export class SelectedRows implements FeatureSink {
  count = 0;
  private readonly slot = new Map<number, number>();
  private readonly data: Float32Array;
  constructor(
    indices: Int32Array,
    readonly max: number,
    readonly dims: number,
  ) {
    for (const i of [...new Set(indices)].sort((a, b) => a - b)) this.slot.set(i, this.slot.size);
    this.data = new Float32Array(this.slot.size * dims);
  }

  append(x: Float32Array, rows: number, dims: number): void {
    const take = room(this, rows);
    for (let r = 0; r < take; r++) {
      const s = this.slot.get(this.count + r);
      if (s !== undefined) this.data.set(x.subarray(r * dims, (r + 1) * dims), s * this.dims);
    }
    this.count += take;
  }

  /** The features of image `index` (one of the chosen). */
  row(index: number): Float32Array {
    const s = this.slot.get(index);
    if (s === undefined) throw new Error(`SelectedRows: image ${index} was not chosen`);
    return this.data.subarray(s * this.dims, (s + 1) * this.dims);
  }

  save(): Record<string, TensorData> {
    return {
      count: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(this.count)) },
      rows: { dtype: 'float32', shape: [this.slot.size, this.dims], data: this.data },
    };
  }

  load(arrays: ReadonlyMap<string, TensorData>): void {
    this.count = Number(restored(arrays, 'count', 1).data[0]);
    this.data.set(restored(arrays, 'rows', this.data.length).data as Float32Array);
  }
}
