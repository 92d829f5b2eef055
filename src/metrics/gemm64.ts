// Float64 matrix products for the FID's statistics and square root. Plain JavaScript reaches under 1 GFLOP/s here;
// onnxruntime's double MatMul (MLAS) about 30 GFLOP/s on the same core (measured), so the products the FID
// needs (X^T X per feature batch, S2 L and L^T (S2 L) at 2048 x 2048) run there when it is available; the
// JavaScript product is the reference path and the fallback.
import onnxProto from 'onnx-proto';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Engine } from '../engine/runtime.js';

/** C [m, n] = A [m, k] B [k, n], row-major float64. */
export type Gemm64 = (a: Float64Array, b: Float64Array, m: number, k: number, n: number) => Promise<Float64Array>;

/**
 * The reference product in JavaScript: rows of C in blocks of 16, so each row of B serves 16 rows once loaded.
 * @example await gemm64Js(a, b, 2, 3, 4)
 */
export const gemm64Js: Gemm64 = async (a, b, m, k, n) => {
  const c = new Float64Array(m * n);
  const BLOCK = 16;
  for (let i0 = 0; i0 < m; i0 += BLOCK) {
    const i1 = Math.min(m, i0 + BLOCK);
    for (let t = 0; t < k; t++) {
      const bt = t * n;
      for (let i = i0; i < i1; i++) {
        const v = a[i * k + t]!;
        if (v === 0) continue;
        const ci = i * n;
        for (let j = 0; j < n; j++) c[ci + j] += v * b[bt + j]!;
      }
    }
  }
  return c;
};

/** ONNX TensorProto code of double. */
const DOUBLE = 11;

/** A one-node model: c = MatMul(a, b) on doubles of any shape. */
function matmulModel(): Uint8Array {
  const { onnx } = onnxProto;
  const vi = (name: string, dims: string[]) => ({ name, type: { tensorType: { elemType: DOUBLE, shape: { dim: dims.map((d) => ({ dimParam: d })) } } } });
  const model = {
    irVersion: 8,
    producerName: 'stylelab',
    opsetImport: [{ domain: '', version: 18 }],
    graph: { name: 'gemm64', node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }], input: [vi('a', ['m', 'k']), vi('b', ['k', 'n'])], output: [vi('c', ['m', 'n'])] },
  };
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Float64 products on the engine's onnxruntime (one session, any shape), with the JavaScript product where that
 * runtime has no double MatMul. Call `dispose()` when done.
 * @example const g = await OrtGemm64.create(engine); const c = await g.gemm(a, b, m, k, n); await g.dispose();
 */
export class OrtGemm64 {
  private constructor(
    private readonly engine: Engine,
    private session: InferenceSession | null,
    /** Why products run in JavaScript (null when on onnxruntime). */
    readonly fallbackReason: string | null = null,
  ) {}

  static async create(engine: Engine): Promise<OrtGemm64> {
    const ort = engine.options.ort;
    try {
      return new OrtGemm64(engine, await ort.InferenceSession.create(matmulModel(), { intraOpNumThreads: engine.options.threads ?? 0, interOpNumThreads: 1 }));
    } catch (e) {
      // No double MatMul in this runtime (some web builds): the JavaScript product serves.
      return new OrtGemm64(engine, null, (e as Error).message);
    }
  }

  /** True when products run on onnxruntime. */
  get native(): boolean {
    return this.session !== null;
  }

  readonly gemm: Gemm64 = async (a, b, m, k, n) => {
    if (!this.session) return gemm64Js(a, b, m, k, n);
    const T = this.engine.options.ort.Tensor as unknown as new (type: 'float64', data: Float64Array, dims: readonly number[]) => OrtTensor;
    const out = await this.session.run({ a: new T('float64', a, [m, k]), b: new T('float64', b, [k, n]) });
    return out.c!.data as Float64Array;
  };

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.release();
  }
}
