// The FID Inception and the official formulas against the fid-inception fixture (pytorch-fid's network with random
// weights; features, logits and FID / KID / IS / precision-recall computed by the official code).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import * as E from '../../src/engine/index.js';
import { readNpy } from '../../src/io/npy.js';
import { AllFeatures, MeanCovStats, SelectedRows } from '../../src/metrics/feature-stats.js';
import { frechetDistance } from '../../src/metrics/fid.js';
import { OrtGemm64 } from '../../src/metrics/gemm64.js';
import { InceptionScoreSplits } from '../../src/metrics/inception-score.js';
import { kernelInceptionDistance, kidSubsets } from '../../src/metrics/kid.js';
import { FidInception, readInception } from '../../src/metrics/nets/inception.js';
import { precisionRecall } from '../../src/metrics/precision-recall.js';
import { createEngine } from '../../src/node.js';
import { fixture } from '../fixtures.js';

interface Reference {
  fid_a_b: number;
  kid_a_b: number;
  precision_a_b: number;
  recall_a_b: number;
  is_a: number;
}
const ref = JSON.parse(readFileSync(fixture('fid-inception', 'reference.json'), 'utf8')) as Reference;
const npy = (name: string) => readNpy(readFileSync(fixture('fid-inception', name)));
const pool3 = { a: npy('pool3_a.npy').data as Float32Array, b: npy('pool3_b.npy').data as Float32Array };
const engine = createEngine({ threads: 2 });
after(() => engine.dispose());

const relClose = (got: number, want: number, tol: number, what: string) => assert.ok(Math.abs(got - want) <= tol * Math.abs(want), `${what}: ${got} vs ${want} (relative ${Math.abs(got - want) / Math.abs(want)})`);

/** The largest |expected - actual| over the largest |expected|. */
function relativeToMax(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let maxAbs = 0;
  let maxErr = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
    maxErr = Math.max(maxErr, Math.abs(want[i]! - got[i]!));
  }
  return maxErr / maxAbs;
}

/** uint8 NHWC -> float NCHW pixel values. */
function nchw(name: string): { x: Float32Array; shape: [number, number, number, number] } {
  const t = npy(name);
  const [N, H, W, C] = t.shape as number[];
  const x = new Float32Array(N! * C! * H! * W!);
  for (let n = 0; n < N!; n++) for (let p = 0; p < H! * W!; p++) for (let c = 0; c < C!; c++) x[(n * C! + c) * H! * W! + p] = (t.data as Uint8Array)[(n * H! * W! + p) * C! + c]!;
  return { x, shape: [N!, C!, H!, W!] };
}

describe('FID Inception (pytorch-fid layout)', () => {
  const net = new FidInception(readInception(readFileSync(fixture('fid-inception', 'pt_inception-random.pth'))));
  for (const set of ['a', 'b'] as const) {
    it(`pool3 of images_${set} (resized to 299) within 1e-4 of the largest magnitude${set === 'a' ? ', and the 1008 logits' : ''}`, async () => {
      const { x, shape } = nchw(`images_${set}_u8.npy`);
      const prog = await engine.compile(net.graph(E.input('x', shape)));
      try {
        const out = await prog.run({ x });
        assert.deepEqual(out.pool3!.shape, [shape[0], 2048]);
        const err = relativeToMax(out.pool3!.data, pool3[set]);
        assert.ok(err <= 1e-4, `pool3 error ${err}`);
        if (set === 'a') {
          const lerr = relativeToMax(out.logits!.data, npy('logits_a.npy').data as Float32Array);
          assert.ok(lerr <= 1e-4, `logits error ${lerr}`);
        }
      } finally {
        await prog.dispose();
      }
    });
  }
});

describe('official formulas on the fixture features', () => {
  it('FID (numpy.cov over N - 1, as pytorch-fid) of a and b: the rank-5 covariances need the pivoted square root', async () => {
    const gemm = await OrtGemm64.create(engine);
    try {
      assert.ok(gemm.native, `float64 products fell back to JavaScript: ${gemm.fallbackReason}`);
      const stats = async (x: Float32Array) => {
        const s = new MeanCovStats(6, 2048, gemm.gemm, 4); // two products: 4 rows, then 2
        await s.append(x, 6, 2048);
        await s.finish();
        return s.gaussian(1);
      };
      relClose(await frechetDistance(await stats(pool3.a), await stats(pool3.b), gemm.gemm), ref.fid_a_b, 1e-4, 'FID');
    } finally {
      await gemm.dispose();
    }
  });

  it('KID with one subset of all six (engine float32 and float64 reference paths)', async () => {
    const subsets = kidSubsets(6, 6, 1, 1000, 0);
    const rows = (x: Float32Array) => {
      const s = new SelectedRows(Int32Array.from({ length: 6 }, (_, i) => i), 6, 2048);
      s.append(x, 6, 2048);
      return s;
    };
    relClose(await kernelInceptionDistance(null, rows(pool3.b), rows(pool3.a), subsets, 2048), ref.kid_a_b, 1e-4, 'KID (reference)');
    relClose(await kernelInceptionDistance(engine, rows(pool3.b), rows(pool3.a), subsets, 2048), ref.kid_a_b, 1e-4, 'KID (engine)');
  });

  it('IS of a from its logits, one split', () => {
    const s = new InceptionScoreSplits(6, 1, 1008);
    s.append(npy('logits_a.npy').data as Float32Array, 6, 1008);
    relClose(s.score().mean, ref.is_a, 1e-4, 'IS');
    assert.equal(s.score().std, 0);
  });

  it('precision/recall (k = 3): a as real, the first 3 of a and of b as generated (engine and reference paths)', async () => {
    const real = new AllFeatures(6, 2048, true);
    real.append(pool3.a, 6, 2048);
    const gen = new AllFeatures(6, 2048, true);
    gen.append(pool3.a, 3, 2048);
    gen.append(pool3.b, 3, 2048);
    for (const e of [null, engine]) {
      const pr = await precisionRecall(e, real, gen, 3, { rows: 4, cols: 4 });
      assert.deepEqual(pr, { precision: ref.precision_a_b, recall: ref.recall_a_b }, e ? 'engine' : 'reference');
    }
  });
});
