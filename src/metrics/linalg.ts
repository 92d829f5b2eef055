// Float64 dense linear algebra for the FID's matrix square root, on row-major Float64Arrays: pivoted Cholesky
// of a positive semi-definite matrix (LAPACK dpstrf's algorithm and tolerance), symmetric products, and the
// eigenvalues of a symmetric matrix (Householder tridiagonalisation, then implicit QL with Wilkinson shifts).
// Inner loops run along rows so they stay in cache at n = 2048; the big products go to a Gemm64 (gemm64.ts).
import type { Gemm64 } from './gemm64.js';

/** A square row-major matrix. */
export interface SquareMatrix {
  n: number;
  data: Float64Array; // [n, n]
}

/** A pivoted Cholesky factor: A[perm][:, perm] = L L^T with L [n, rank] (row-major). */
export interface PivotedCholesky {
  L: Float64Array; // [n, rank]
  rank: number;
  perm: Int32Array; // row i of L belongs to row perm[i] of A
}

/**
 * Pivoted Cholesky of a symmetric positive semi-definite matrix, stopped when the largest remaining pivot is
 * at most n * eps * (largest diagonal entry) as LAPACK's dpstrf: the rank-revealing factor of a singular
 * covariance (fewer samples than features) without regularisation.
 * @example const { L, rank } = pivotedCholesky({ n: 2, data: Float64Array.from([4, 2, 2, 2]) }); // rank 2
 */
export function pivotedCholesky(A: SquareMatrix): PivotedCholesky {
  const n = A.n;
  const a = Float64Array.from(A.data); // working copy; lower triangle holds the Schur complement
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const cols: Float64Array[] = []; // column k of L, in permuted row order
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, a[i * n + i]!);
  const tol = n * Number.EPSILON * maxDiag;
  let rank = 0;
  for (let k = 0; k < n; k++) {
    // Pivot: the largest remaining diagonal.
    let j = k;
    for (let i = k + 1; i < n; i++) if (a[i * n + i]! > a[j * n + j]!) j = i;
    if (!(a[j * n + j]! > tol)) break;
    if (j !== k) swapSymmetric(a, n, k, j, perm, cols);
    const d = Math.sqrt(a[k * n + k]!);
    const col = new Float64Array(n);
    col[k] = d;
    for (let i = k + 1; i < n; i++) col[i] = a[i * n + k]! / d;
    // Schur complement update of the lower triangle, row by row.
    for (let i = k + 1; i < n; i++) {
      const li = col[i]!;
      if (li === 0) continue;
      const row = i * n;
      for (let c = k + 1; c <= i; c++) a[row + c] -= li * col[c]!;
    }
    cols.push(col);
    rank++;
  }
  const L = new Float64Array(n * rank);
  for (let k = 0; k < rank; k++) for (let i = 0; i < n; i++) L[i * rank + k] = cols[k]![i]!;
  return { L, rank, perm };
}

/** Swaps rows/columns k and j of the lower triangle (and of the finished columns and the permutation). */
function swapSymmetric(a: Float64Array, n: number, k: number, j: number, perm: Int32Array, cols: Float64Array[]): void {
  // Lower triangle: entry (r, c) with r >= c lives at a[r * n + c]; read (r, c) for any order via at().
  const at = (r: number, c: number) => (r >= c ? r * n + c : c * n + r);
  for (let c = 0; c < n; c++) {
    if (c === k || c === j) continue;
    const p = at(k, c);
    const q = at(j, c);
    const t = a[p]!;
    a[p] = a[q]!;
    a[q] = t;
  }
  const t = a[k * n + k]!;
  a[k * n + k] = a[j * n + j]!;
  a[j * n + j] = t;
  [perm[k], perm[j]] = [perm[j]!, perm[k]!];
  for (const col of cols) [col[k], col[j]] = [col[j]!, col[k]!];
}

/**
 * L^T B L for a symmetric B [n, n] and L [n, r] (row-major): a symmetric [r, r] matrix, by two float64 products.
 * @example const M = await congruence(S2, L, r, gemm64Js); // eigenvalues of S1 S2 when S1 = L L^T
 */
export async function congruence(B: SquareMatrix, L: Float64Array, r: number, gemm: Gemm64): Promise<SquareMatrix> {
  const n = B.n;
  const T = await gemm(B.data, L, n, n, r); // B L [n, r]
  const Lt = new Float64Array(r * n); // L^T [r, n]
  for (let i = 0; i < n; i++) for (let c = 0; c < r; c++) Lt[c * n + i] = L[i * r + c]!;
  const M = await gemm(Lt, T, r, n, r); // [r, r]
  // Symmetrise away rounding.
  for (let p = 0; p < r; p++) for (let c = 0; c < p; c++) M[p * r + c] = M[c * r + p] = (M[p * r + c]! + M[c * r + p]!) / 2;
  return { n: r, data: M };
}

/**
 * Eigenvalues of a symmetric matrix (unordered): Householder reduction to tridiagonal form (Golub & Van Loan,
 * algorithm 8.3.1) and the implicit QL iteration with Wilkinson shifts (EISPACK tql1).
 * @example symmetricEigenvalues({ n: 2, data: Float64Array.from([2, 1, 1, 2]) }) // [1, 3] in some order
 */
export function symmetricEigenvalues(A: SquareMatrix): Float64Array {
  const { d, e } = tridiagonalize(A);
  tql1(d, e);
  return d;
}

/** A Householder reflection I - beta v v^T mapping x (entries from `from` on) to alpha e1; null when x is already alpha e1. */
interface Reflection {
  v: Float64Array;
  beta: number;
}

/** The reflection of x = col[from..n) and the alpha it leaves. */
function householder(col: Float64Array, from: number, n: number): { r: Reflection | null; alpha: number } {
  let norm2 = 0;
  for (let i = from; i < n; i++) norm2 += col[i]! ** 2;
  const x0 = col[from]!;
  if (norm2 - x0 * x0 === 0) return { r: null, alpha: x0 }; // already reduced
  const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
  const v = new Float64Array(n);
  for (let i = from; i < n; i++) v[i] = col[i]!;
  v[from] = x0 - alpha;
  const vnorm2 = norm2 - x0 * x0 + (x0 - alpha) ** 2;
  return { r: { v, beta: 2 / vnorm2 }, alpha };
}

/**
 * Householder tridiagonalisation (Golub & Van Loan 8.3.1) on the lower triangle only: diagonal d [n] and
 * sub-diagonal e [n] (e[0] unused). Each step's rank-2 update of the trailing block and the next step's
 * product A v share one sweep over it (the trailing block is read once per step, not twice).
 */
function tridiagonalize(A: SquareMatrix): { d: Float64Array; e: Float64Array } {
  const n = A.n;
  const a = Float64Array.from(A.data); // only entries (i, j) with i >= j are read and kept
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  const column = (k: number, from: number) => {
    for (let i = from; i < n; i++) col[i] = a[i * n + k]!;
    return col;
  };
  /** p = beta A[from:, from:] v from the lower triangle. */
  const product = (r: Reflection, from: number) => {
    const p = new Float64Array(n);
    for (let i = from; i < n; i++) {
      const row = i * n;
      const vi = r.v[i]!;
      let s = 0;
      for (let j = from; j < i; j++) {
        const aij = a[row + j]!;
        s += aij * r.v[j]!;
        p[j] += aij * vi;
      }
      p[i] += s + a[row + i]! * vi;
    }
    for (let i = from; i < n; i++) p[i] *= r.beta;
    return p;
  };
  let cur = n >= 3 ? householder(column(0, 1), 1, n) : { r: null, alpha: 0 };
  let p = cur.r ? product(cur.r, 1) : null;
  for (let k = 0; k < n - 2; k++) {
    d[k] = a[k * n + k]!;
    e[k + 1] = cur.alpha;
    // w = p - (beta p.v / 2) v: the update is A -= v w^T + w v^T on the trailing block k+1..
    let w: Float64Array | null = null;
    const v = cur.r?.v ?? null;
    if (cur.r && p) {
      let pv = 0;
      for (let i = k + 1; i < n; i++) pv += p[i]! * v![i]!;
      const half = (cur.r.beta * pv) / 2;
      w = p;
      for (let i = k + 1; i < n; i++) w[i] = p[i]! - half * v![i]!;
    }
    // The next column (k + 1) after this update gives the next reflection before the sweep.
    let next: { r: Reflection | null; alpha: number } = { r: null, alpha: 0 };
    if (k + 1 < n - 2) {
      const c = column(k + 1, k + 2);
      if (w) for (let i = k + 2; i < n; i++) c[i] = c[i]! - v![i]! * w[k + 1]! - w[i]! * v![k + 1]!;
      next = householder(c, k + 2, n);
    }
    const nv = next.r?.v ?? null;
    const np = nv ? new Float64Array(n) : null;
    if (w || nv) {
      for (let i = k + 1; i < n; i++) {
        const row = i * n;
        const vi = v ? v[i]! : 0;
        const wi = w ? w[i]! : 0;
        if (w) a[row + k + 1] -= vi * w[k + 1]! + wi * v![k + 1]!;
        if (i < k + 2) continue;
        const nvi = nv ? nv[i]! : 0;
        let s = 0;
        for (let j = k + 2; j < i; j++) {
          const aij = w ? (a[row + j] -= vi * w[j]! + wi * v![j]!) : a[row + j]!;
          if (np) {
            s += aij * nv![j]!;
            np[j] += aij * nvi;
          }
        }
        const aii = w ? (a[row + i] -= 2 * vi * wi) : a[row + i]!;
        if (np) np[i] += s + aii * nvi;
      }
    }
    if (np) for (let i = k + 2; i < n; i++) np[i] *= next.r!.beta;
    cur = next;
    p = np;
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 1] = a[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  return { d, e };
}

/** Eigenvalues of the symmetric tridiagonal (d, e) in place into d (implicit QL, as EISPACK tql1 / JAMA). */
function tql1(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 60; iter++) {
        // Wilkinson shift from the leading 2x2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL transformation.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
