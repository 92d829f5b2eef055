// Winograd F(2x2,3x3) and F(4x4,3x3) against the plain convolution: in the float64 reference interpreter (the
// algorithm is exact there) and in onnxruntime (float32 rounding of the transforms stays small); and the StyleGAN3-T
// fixture's official images with every 3x3 conv of the synthesis forced through F(4x4, 3x3).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { GraphError } from '../../src/errors.js';
import { winogradConv2d, type WinogradTile } from '../../src/nets/ops/winograd.js';
import { loadCheckpoint, openGenerator, readNpy, StyleGAN3Generator, toFloat32, toUint8Image } from '../../src/node.js';
import { assertClose, makeEngine, randomND, rng } from '../engine/harness.js';
import { fixture } from '../fixtures.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('winogradConv2d', () => {
  for (const m of [2, 4] as WinogradTile[]) {
    for (const [shape, padding] of [[[2, 3, 9, 7], 1], [[1, 4, 8, 8], 2], [[1, 2, 6, 11], 0]] as const) {
      test(`F(${m}x${m},3x3) equals conv2d in float64: x [${shape}], padding ${padding}`, () => {
        const r = rng(m * 100 + padding);
        const x = E.input('x', shape);
        const w = E.constant(Float64Array.from(randomND([5, shape[1], 3, 3], r).data), [5, shape[1], 3, 3]);
        const [fast, ref] = E.evaluate([winogradConv2d(x, w, { padding, m }), E.conv2d(x, w, { padding })], { x: randomND(shape, r) });
        assert.deepEqual(fast!.shape, ref!.shape);
        assertClose(fast!.data, ref!.data, 1e-9, 1e-9, 'winograd vs conv');
      });
    }
    test(`F(${m}x${m},3x3) equals onnxruntime's Conv in float32 within 1e-5 of the output scale`, async () => {
      const r = rng(7 + m);
      const shape = [1, 64, 23, 19];
      const x = E.input('x', shape);
      const w = E.constant(Float32Array.from(randomND([32, 64, 3, 3], r).data, (v) => v / 24), [32, 64, 3, 3]);
      const prog = await engine.compile({ fast: winogradConv2d(x, w, { padding: 2, m }), ref: E.conv2d(x, w, { padding: 2 }) });
      const out = await prog.run({ x: Array.from(randomND(shape, r).data) });
      await prog.dispose();
      const ref = out.ref!.data as Float32Array;
      const scale = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      assert.deepEqual(out.fast!.shape, [1, 32, 25, 21]);
      assertClose(out.fast!.data, ref, 1e-5 * scale, 0, 'winograd vs Conv');
    });
  }

  test('rejects a weight that is not 3x3', () => {
    assert.throws(() => winogradConv2d(E.input('x', [1, 2, 8, 8]), E.constant(new Float32Array(2 * 2 * 25), [2, 2, 5, 5])), GraphError);
  });
});

describe('StyleGAN3-T with Winograd F(4x4,3x3) in every layer', () => {
  const dir = 'stylegan3-t-tiny';
  const npy = (file: string) => toFloat32(readNpy(readFileSync(fixture(dir, file))));
  const G = openGenerator(engine, loadCheckpoint(fixture(dir, 'network.pkl')));
  after(() => G.dispose());
  const calls = (JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8')) as { calls: { ws?: string; img: string; uint8_nhwc?: string }[] }).calls;

  test('matches the official images within 2e-3, uint8 99.9% identical', async () => {
    assert.ok(G instanceof StyleGAN3Generator);
    const prog = await engine.compile(G.synthesisGraph(1, { winograd: 'always' }));
    for (const call of calls.filter((c) => c.ws)) {
      const img = (await prog.run({ ws: npy(call.ws!) })).img!.data as Float32Array;
      assertClose(img, npy(call.img), 2e-3, 0, `image ${call.img}`);
      const u8 = toUint8Image(img, 3, G.imgResolution, G.imgResolution);
      const expected = npy(call.uint8_nhwc!);
      const differ = u8.filter((v, i) => Math.abs(v - expected[i]!) > 0).length;
      assert.ok(u8.every((v, i) => Math.abs(v - expected[i]!) <= 1) && differ <= u8.length * 0.001, `${call.uint8_nhwc}: ${differ} values differ`);
    }
    await prog.dispose();
  });
});
