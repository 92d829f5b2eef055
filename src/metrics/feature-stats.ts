// What the metrics keep of a feature stream (stylegan2-ada metric_utils.FeatureStats, split by use so each keeps
// only what its formula needs): the float64 running sums of FID (mean, covariance, never the features), all
// rows (float32, or float16 as precision/recall's official code keeps them), chosen rows (KID's subsets, drawn
// before the features exist), and the per-split sums of the Inception score.
import { halfToNumber, type TensorData } from '../io/tensor.js';
import type { Gaussian } from './fid.js';
import { type Gemm64, gemm64Js } from './gemm64.js';
import { toHalfBits } from './half.js';

/** A consumer of feature rows [rows, dims] (float32), in image order; it keeps at most `max` rows. */
export interface FeatureSink {
  readonly max: number;
  readonly count: number;
  append(x: Float32Array, rows: number, dims: number): void | Promise<void>;
  /** Completes what append left pending (called once after the last rows). */
  finish?(): Promise<void>;
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
 * Running float64 sums of the features and of their outer products (FeatureStats capture_mean_cov). Rows are
 * gathered 256 at a time and added as one float64 product X^T X (`gemm`).
 * @example const s = new MeanCovStats(50000, 2048); await s.append(x, 64, 2048); await s.finish(); const g = s.gaussian(0);
 */
export class MeanCovStats implements FeatureSink {
  count = 0;
  private readonly sum: Float64Array;
  private readonly outer: Float64Array; // sum of x x^T [D, D]
  private readonly pending: Float64Array; // rows not yet in `outer` [bufferRows, D]
  private pendingRows = 0;
  constructor(
    readonly max: number,
    readonly dims: number,
    private readonly gemm: Gemm64 = gemm64Js,
    private readonly bufferRows = 256,
  ) {
    this.sum = new Float64Array(dims);
    this.outer = new Float64Array(dims * dims);
    this.pending = new Float64Array(bufferRows * dims);
  }

  async append(x: Float32Array, rows: number, dims: number): Promise<void> {
    const take = room(this, rows);
    const D = this.dims;
    if (dims !== D) throw new Error(`MeanCovStats: expected ${D} features, got ${dims}`);
    for (let r = 0; r < take; r++) {
      const row = this.pending.subarray(this.pendingRows * D, (this.pendingRows + 1) * D);
      for (let i = 0; i < D; i++) this.sum[i] += row[i] = x[r * D + i]!;
      this.count++;
      if (++this.pendingRows === this.bufferRows) await this.finish();
    }
  }

  /** Adds the pending rows' X^T X to the outer-product sum. */
  async finish(): Promise<void> {
    const m = this.pendingRows;
    if (m === 0) return;
    const D = this.dims;
    const X = this.pending.subarray(0, m * D); // [m, D]
    const Xt = new Float64Array(D * m); // [D, m]
    for (let r = 0; r < m; r++) for (let i = 0; i < D; i++) Xt[i * m + r] = X[r * D + i]!;
    const P = await this.gemm(Xt, X, D, m, D); // [D, D]
    for (let i = 0; i < P.length; i++) this.outer[i] += P[i]!;
    this.pendingRows = 0;
  }

  /**
   * Mean and covariance. ddof 0 divides by N (stylegan2-ada's get_mean_cov); ddof 1 by N - 1 (numpy.cov, as
   * pytorch-fid).
   * @example await frechetDistance(fakes.gaussian(0), reals.gaussian(0))
   */
  gaussian(ddof: 0 | 1): Gaussian {
    const D = this.dims;
    const n = this.count;
    if (this.pendingRows) throw new Error('MeanCovStats: call finish() before gaussian()');
    if (n - ddof <= 0) throw new Error(`a covariance needs at least ${ddof + 1} images, got ${n}`);
    const mean = Float64Array.from(this.sum, (s) => s / n);
    const cov = new Float64Array(D * D);
    for (let i = 0; i < D; i++)
      for (let j = i; j < D; j++) cov[i * D + j] = cov[j * D + i] = ((this.outer[i * D + j]! + this.outer[j * D + i]!) / 2 - n * mean[i]! * mean[j]!) / (n - ddof);
    return { mean, cov };
  }

  save(): Record<string, TensorData> {
    if (this.pendingRows) throw new Error('MeanCovStats: call finish() before save()');
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
