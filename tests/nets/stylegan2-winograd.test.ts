// StyleGAN2 with Winograd F(4x4, 3x3) in its stride-1 3x3 layers (the fast inference path of wide layers): the
// stylegan2-tiny fixture with every such layer forced through Winograd still matches the official images; and
// only programs with constant weights may use it (gradient graphs keep the direct conv).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { useWinograd } from '../../src/nets/ops/winograd.js';
import { loadCheckpoint, openGenerator, readNpy, StyleGAN2Generator, toFloat32, toUint8Image } from '../../src/node.js';
import { assertClose, makeEngine } from '../engine/harness.js';
import { fixture } from '../fixtures.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('useWinograd', () => {
  test('auto picks the wide 3x3 layers only; never and always as named', () => {
    assert.equal(useWinograd('auto', [512, 512, 3, 3]), true);
    assert.equal(useWinograd('auto', [128, 128, 3, 3]), false); // I*O/(I+O) = 64 < 100
    assert.equal(useWinograd('auto', [512, 512, 1, 1]), false);
    assert.equal(useWinograd('always', [4, 4, 3, 3]), true);
    assert.equal(useWinograd('never', [512, 512, 3, 3]), false);
    assert.equal(useWinograd(undefined, [512, 512, 3, 3]), false);
  });
});

describe('StyleGAN2 with Winograd F(4x4,3x3) in every 3x3 layer', () => {
  const dir = 'stylegan2-tiny';
  const npy = (file: string) => toFloat32(readNpy(readFileSync(fixture(dir, file))));
  const G = openGenerator(engine, loadCheckpoint(fixture(dir, 'network.pkl')));
  after(() => G.dispose());
  const calls = (JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8')) as { calls: { ws: string; img: string; uint8_nhwc: string; noise_mode: string }[] }).calls;

  test('matches the official images within 2e-3, uint8 99.9% identical', async () => {
    assert.ok(G instanceof StyleGAN2Generator);
    for (const mode of ['const', 'none'] as const) {
      const prog = await engine.compile(G.synthesisGraph(1, { noiseMode: mode, winograd: 'always' }));
      const direct = await engine.compile(G.synthesisGraph(1, { noiseMode: mode }));
      for (const call of calls.filter((c) => c.noise_mode === mode)) {
        const img = (await prog.run({ ws: npy(call.ws) })).img!.data as Float32Array;
        const ref = (await direct.run({ ws: npy(call.ws) })).img!.data as Float32Array;
        assert.ok(img.some((v, i) => v !== ref[i]), 'the Winograd program computes differently (it is really used)');
        assertClose(img, npy(call.img), 2e-3, 0, `image ${call.img}`);
        const u8 = toUint8Image(img, 3, G.imgResolution, G.imgResolution);
        const expected = npy(call.uint8_nhwc);
        const differ = u8.filter((v, i) => v !== expected[i]).length;
        assert.ok(u8.every((v, i) => Math.abs(v - expected[i]!) <= 1) && differ <= u8.length * 0.001, `${call.uint8_nhwc}: ${differ} values differ`);
      }
      await prog.dispose();
      await direct.dispose();
    }
  });
});
