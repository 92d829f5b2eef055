// StyleGAN2 with Winograd F(4x4, 3x3) in its stride-1 3x3 layers (the fast inference path of wide layers): the
// stylegan2-tiny fixture with every such layer forced through Winograd still matches the official images; and
// the gradient of a feature map with respect to ws (what DragGAN takes) is the direct conv's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
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
    assert.equal(useWinograd('auto', [512, 512, 3, 3], 32), true);
    assert.equal(useWinograd('auto', [512, 512, 3, 3], 16), false); // few tiles: not worth the transformed weight's memory
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

describe('StyleGAN2 feature gradients with Winograd (DragGAN)', () => {
  const G = openGenerator(engine, loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl')));
  after(() => G.dispose());

  test('d(sum(feat * probe))/d ws with every 3x3 layer in Winograd equals the direct conv within 1e-4 of its scale', async () => {
    const grads: Float32Array[] = [];
    for (const winograd of ['always', 'never'] as const) {
      const features = new Map<string, E.Tensor>();
      const { img } = (G as StyleGAN2Generator).synthesisGraph(1, { noiseMode: 'const', features, winograd });
      const feat = [...features.values()].at(-2)!; // the last feature map but one: several layers deep
      const ws = findInput(img, 'ws');
      const probe = E.constant(Float32Array.from({ length: feat.size }, (_, i) => Math.sin(i * 0.37)), feat.shape);
      const [g] = E.grad(E.sum(E.mul(feat, probe)), [ws!]);
      const prog = await engine.compile({ g: g! });
      const wsValues = Float32Array.from({ length: ws!.size }, (_, i) => Math.cos(i * 0.11));
      grads.push((await prog.run({ ws: wsValues })).g!.data as Float32Array);
      await prog.dispose();
    }
    const scale = grads[1]!.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
    assert.ok(scale > 0);
    assertClose(grads[0]!, grads[1]!, 1e-4 * scale, 0, 'ws gradient');
  });
});

/** The graph input named `name` that `t` depends on. */
function findInput(t: E.Tensor, name: string): E.Tensor {
  const seen = new Set<E.Node>();
  const stack = [t.node];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op.type === 'Input' && (n.attrs as { name?: string }).name === name) return n.outputs[0]!;
    stack.push(...n.inputs.map((i) => i.node));
  }
  throw new Error(`no input ${name}`);
}
