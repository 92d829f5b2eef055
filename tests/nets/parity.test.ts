// Parity with the official PyTorch outputs in ../shared/fixtures: ws, float images, uint8 images, D logits,
// style mixing — for the fast formulation and the official fused one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createEngine, loadCheckpoint, oneHot, openDiscriminator, openGenerator, readNpy, styleMix, toFloat32, toUint8Image, zFromSeed } from '../../src/node.js';
import { assertClose } from '../engine/harness.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

const npy = (dir: string, file: string) => readNpy(readFileSync(fixture(dir, file)));

/** The fixtures README's uint8 rule: >= 99.9% identical, never more than 1 apart. */
export function assertUint8Close(actual: Uint8Array, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  let diff = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    assert.ok(d <= 1, `${what}: value ${i} is ${actual[i]}, official ${expected[i]}`);
    if (d) diff++;
  }
  assert.ok(diff <= actual.length * 0.001, `${what}: ${diff} of ${actual.length} values differ`);
}

interface Call {
  seed: number;
  psi: number;
  cutoff: number | null;
  noise_mode: 'const' | 'none';
  class_idx: number | null;
  z: string;
  ws: string;
  img: string;
  uint8_nhwc: string;
}

for (const dir of ['stylegan2-tiny', 'stylegan2-cond-tiny']) {
  describe(`${dir}: official outputs`, () => {
    const ref = JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8')) as { calls: (Call | { style_mixing: Record<string, unknown> })[] };
    const ckpt = loadCheckpoint(fixture(dir, 'network.pkl'));
    const G = openGenerator(engine, ckpt);
    const D = openDiscriminator(engine, ckpt);
    after(async () => {
      await G.dispose();
      await D.dispose();
    });
    const { zDim, cDim, imgChannels: C, imgResolution: R } = G.config;
    const calls = ref.calls.filter((c): c is Call => 'seed' in c);

    test('z from seeds equals np.random.RandomState(seed).randn(1, z_dim)', () => {
      for (const call of calls) assert.deepEqual(Array.from(zFromSeed(call.seed, zDim), Math.fround), Array.from(toFloat32(npy(dir, call.z))));
    });

    for (const call of calls) {
      for (const fused of [false, true]) {
        test(`seed ${call.seed} psi ${call.psi} noise ${call.noise_mode}${fused ? ' (official fused modconv)' : ''}`, async () => {
          const c = cDim ? oneHot(cDim, call.class_idx) : null;
          const ws = await G.mapping(zFromSeed(call.seed, zDim), c, { psi: call.psi, cutoff: call.cutoff });
          assertClose(ws, toFloat32(npy(dir, call.ws)), 1e-5, 1e-5, 'ws');
          const img = await G.synthesis(ws, { noiseMode: call.noise_mode, fused });
          assertClose(img, toFloat32(npy(dir, call.img)), 1e-3, 0, 'image');
          assertUint8Close(toUint8Image(img, C, R, R), npy(dir, call.uint8_nhwc).data as Uint8Array, 'uint8 image');
        });
      }
    }

    test('discriminator logits of G(seed, psi 1, noise const)', async () => {
      for (const call of calls.filter((c) => c.psi === 1 && c.noise_mode === 'const')) {
        const c = cDim ? oneHot(cDim, call.class_idx) : null;
        const img = await G.generate(zFromSeed(call.seed, zDim), c, { noiseMode: 'const' });
        const logits = await D.logits(img, c);
        assertClose(logits, toFloat32(npy(dir, `d_logits_seed${call.seed}.npy`)), 1e-3, 0, `D logits seed ${call.seed}`);
      }
    });

    const mix = ref.calls.find((c): c is { style_mixing: Record<string, unknown> } => 'style_mixing' in c)?.style_mixing;
    if (mix) {
      test('style mixing grid', async () => {
        const rows = mix.row_seeds as number[];
        const cols = mix.col_seeds as number[];
        const images = await styleMix(G, rows, cols, {
          styles: mix.col_styles as number[],
          psi: mix.psi as number,
          noiseMode: mix.noise_mode as 'const',
          zOf: (s) => zFromSeed(s, zDim),
        });
        rows.forEach((row) =>
          cols.forEach((col) => {
            const expected = toFloat32(npy(dir, `mix_row${row}_col${col}.npy`));
            assertClose(images.get(`${row}-${col}`)!, expected, 1e-3, 0, `mix ${row}-${col}`);
          }),
        );
      });
    }
  });
}
