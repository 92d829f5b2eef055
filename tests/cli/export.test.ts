// `stylelab export`: the .onnx file runs in a fresh onnxruntime-node session and gives the official images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { zFromSeed } from '../../src/random/numpy-random.js';
import { assertOk, COND, listDir, readFixtureNpy, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir();
after(tmp.remove);

/** Runs an exported model on its own (no stylelab code involved) and returns its `img` output. */
async function runOnnx(path: string, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ data: Float32Array; dims: readonly number[]; inputs: readonly string[] }> {
  const session = await ort.InferenceSession.create(readFileSync(path), { intraOpNumThreads: 1 });
  try {
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
    const img = (await session.run(ortFeeds)).img!;
    return { data: img.data as Float32Array, dims: img.dims, inputs: session.inputNames };
  } finally {
    await session.release();
  }
}

function assertClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  assert.ok(worst <= tol, `${what}: max difference ${worst} > ${tol}`);
}

describe('stylelab export', { concurrency: 2 }, () => {
  test('stylegan2-tiny psi 0.7 const: z -> img equals img_seed0_psi0.7_const.npy', async () => {
    const out = join(tmp.dir, 'tiny.onnx');
    const r = await stylelab('export', '--network', TINY, out, '--trunc', '0.7');
    assertOk(r);
    assert.match(r.stdout, /^wrote .*tiny\.onnx: z \[1, 64\] -> img \[1, 3, 32, 32\]/);
    const z = Float32Array.from(zFromSeed(0, 64));
    const img = await runOnnx(out, { z: { data: z, dims: [1, 64] } });
    assert.deepEqual(img.inputs, ['z']);
    assert.deepEqual(img.dims, [1, 3, 32, 32]);
    assertClose(img.data, readFixtureNpy('stylegan2-tiny', 'img_seed0_psi0.7_const.npy').data, 1e-3, 'seed 0 psi 0.7');
  });

  test('conditional, --class baked in: only z', async () => {
    const out = join(tmp.dir, 'cond-class2.onnx');
    assertOk(await stylelab('export', '--network', COND, out, '--class', '2', '--noise-mode', 'none', '--trunc', '0.5'));
    const img = await runOnnx(out, { z: { data: Float32Array.from(zFromSeed(5, 32)), dims: [1, 32] } });
    assert.deepEqual(img.inputs, ['z']);
    assertClose(img.data, readFixtureNpy('stylegan2-cond-tiny', 'img_seed5_psi0.5_none.npy').data, 1e-3, 'cond seed 5 class 2');
  });

  test('conditional, batch 2: z and c inputs', async () => {
    const out = join(tmp.dir, 'cond-batch2.onnx');
    assertOk(await stylelab('export', '--network', COND, out, '--batch', '2'));
    const z = new Float32Array(64);
    z.set(zFromSeed(5, 32), 0);
    z.set(zFromSeed(5, 32), 32);
    const c = Float32Array.of(0, 0, 1, 0, 0, 0, 1, 0);
    const img = await runOnnx(out, { z: { data: z, dims: [2, 32] }, c: { data: c, dims: [2, 4] } });
    assert.deepEqual([...img.inputs].sort(), ['c', 'z']);
    assert.deepEqual(img.dims, [2, 3, 16, 16]);
    const want = readFixtureNpy('stylegan2-cond-tiny', 'img_seed5_psi1.0_const.npy').data;
    assertClose(img.data.subarray(0, want.length), want, 1e-3, 'batch item 0');
    assertClose(img.data.subarray(want.length), want, 1e-3, 'batch item 1');
    assert.deepEqual(listDir(tmp.dir).filter((n) => n.startsWith('.')), [], 'no temporary files');
  });
});
