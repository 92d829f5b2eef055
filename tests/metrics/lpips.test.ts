// LPIPS-VGG v0.1 against richzhang/PerceptualSimilarity (fixture lpips-vgg: random torchvision VGG16 features, the
// real linear layers); its feature form; and gradients with respect to the image (what projection uses).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import * as E from '../../src/engine/index.js';
import { CheckpointError } from '../../src/errors.js';
import { readNpy } from '../../src/io/npy.js';
import { Lpips, LpipsSession, readLpipsLinear } from '../../src/metrics/lpips.js';
import { readVgg16 } from '../../src/metrics/nets/vgg16.js';
import { createEngine } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const ref = JSON.parse(readFileSync(fixture('lpips-vgg', 'reference.json'), 'utf8')) as { distances: number[] };
const npy = (name: string) => readNpy(readFileSync(fixture('lpips-vgg', name)));
const lpips = new Lpips(readVgg16(readFileSync(fixture('lpips-vgg', 'vgg16-features-random.pth')), false), readLpipsLinear(readFileSync(fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth'))));
const engine = createEngine({ threads: 2 });
after(() => engine.dispose());

describe('LPIPS (VGG, v0.1)', () => {
  const x = npy('x.npy');
  const y = npy('y.npy');
  const shape = x.shape as [number, number, number, number];

  it('distances match PerceptualSimilarity within 1e-5', async () => {
    const s = new LpipsSession(engine, lpips);
    try {
      const d = await s.distances(x.data as Float32Array, y.data as Float32Array, shape);
      assert.equal(d.length, ref.distances.length);
      d.forEach((v, i) => assert.ok(Math.abs(v - ref.distances[i]!) <= 1e-5, `pair ${i}: ${v} vs ${ref.distances[i]}`));
      const same = await s.distances(x.data as Float32Array, x.data as Float32Array, shape);
      same.forEach((v) => assert.ok(Math.abs(v) < 1e-9, `LPIPS(x, x) = ${v}`));
    } finally {
      await s.dispose();
    }
  });

  it('the feature form gives the same distances: |phi(x) - phi(y)|^2', async () => {
    const xi = E.input('x', shape);
    const yi = E.input('y', shape);
    const prog = await engine.compile({ d: E.sum(E.square(E.sub(lpips.features(xi), lpips.features(yi))), 1) });
    try {
      const { d } = await prog.run({ x: x.data as Float32Array, y: y.data as Float32Array });
      d!.data.forEach((v, i) => assert.ok(Math.abs(v - ref.distances[i]!) <= 1e-5, `pair ${i}: ${v} vs ${ref.distances[i]}`));
    } finally {
      await prog.dispose();
    }
  });

  it('its gradient with respect to the image matches finite differences', async () => {
    const one = [1, 3, 64, 64] as const;
    const per = 3 * 64 * 64;
    const x0 = (x.data as Float32Array).slice(0, per);
    const y0 = (y.data as Float32Array).slice(0, per);
    const xi = E.input('x', one);
    const d = E.sum(lpips.distance(xi, E.input('y', one)));
    const [g] = E.grad(d, [xi]);
    const prog = await engine.compile({ d, g: g! });
    try {
      const out = await prog.run({ x: x0, y: y0 });
      const grad = out.g!.data;
      // Along the gradient direction the change is |g|^2 * h to first order.
      const norm2 = grad.reduce((s, v) => s + v * v, 0);
      const h = 1e-2 / Math.sqrt(norm2);
      const step = (sign: number) => Float32Array.from(x0, (v, i) => v + sign * h * grad[i]!);
      const dPlus = (await prog.run({ x: step(1), y: y0 })).d!.data[0]!;
      const dMinus = (await prog.run({ x: step(-1), y: y0 })).d!.data[0]!;
      const numeric = (dPlus - dMinus) / (2 * h);
      assert.ok(Math.abs(numeric - norm2) <= 0.02 * norm2, `directional derivative ${numeric} vs |g|^2 ${norm2}`);
    } finally {
      await prog.dispose();
    }
  });

  it('refuses a file that is not the linear layers, naming what it expected', () => {
    const vggBytes = readFileSync(fixture('lpips-vgg', 'vgg16-features-random.pth'));
    assert.throws(() => readLpipsLinear(vggBytes), (e: Error) => e instanceof CheckpointError && /not the LPIPS v0.1 VGG linear layers \(PerceptualSimilarity vgg.pth\): it has no tensor 'lin0.model.1.weight'/.test(e.message));
    const linBytes = readFileSync(fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth'));
    assert.throws(() => readVgg16(linBytes, false), /not torchvision's VGG16 \(vgg16-397923af.pth\)/);
  });
});
