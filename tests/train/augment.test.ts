// The ADA pipeline graph: p = 0 is the identity, the graph (static margin, onnxruntime, float32) equals the
// plain TypeScript reference of the official code (data-dependent margin, float64), gradients flow to the images.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { AUGMENT_PRESETS, augmentPipe, augmentSpec, upsample2x, WAVELETS } from '../../src/train/augment.js';
import { setupFilter, upsample2d } from '../../src/nets/ops/upfirdn2d.js';
import { augmentReference } from '../../src/train/augment-ref.js';
import { InputError } from '../../src/errors.js';
import { assertClose, checkGrad, makeEngine } from '../engine/harness.js';
import { augmenter, images, makeDraws, maxDiff } from './augment-helpers.js';

const engine = makeEngine();
/** The official upsample2d with the nets/ops implementation (2-D outer-product filter, transposed conv). */
const upsample2dRef = (x: E.Tensor, taps: readonly number[]) => upsample2d(x, setupFilter([...taps]), 2);
after(() => engine.dispose());

describe('augmentPipe', () => {
  test('p = 0 is the identity (every preset op enabled, random draws)', async () => {
    for (const [shape, preset] of [[[2, 3, 32, 32], 'bgcfnc'], [[2, 1, 8, 8], 'bgc']] as const) {
      const aug = await augmenter(engine, [...shape], AUGMENT_PRESETS[preset]);
      const x = images(shape, 1);
      for (const seed of [1, 2]) {
        const y = await aug.run(x, 0, makeDraws(aug.inputs, seed));
        assert.ok(maxDiff(y, x) < 1e-4, `${preset} ${shape}: max |y - x| = ${maxDiff(y, x)}`);
      }
      // The same draws with p = 1 do change the images (the identity above is not vacuous).
      assert.ok(maxDiff(await aug.run(x, 1, makeDraws(aug.inputs, 1)), x) > 0.1);
      await aug.dispose();
    }
  });

  test('bgc equals the plain reference of the official code (RGB and L, several p)', async () => {
    for (const shape of [[3, 3, 8, 8], [2, 1, 8, 6]]) {
      const aug = await augmenter(engine, shape, AUGMENT_PRESETS.bgc);
      const x = images(shape, 3);
      for (const [p, seed] of [[0.3, 4], [0.8, 5], [1, 6]] as const) {
        const draws = makeDraws(aug.inputs, seed);
        const y = await aug.run(x, p, draws);
        assertClose(y, augmentReference(x, shape, p, AUGMENT_PRESETS.bgc, draws), 2e-4, 1e-3, `bgc ${shape} p=${p}`);
      }
      await aug.dispose();
    }
  });

  test('geometry with small transforms (the official margin is then far below the static one) equals the reference', async () => {
    const spec = augmentSpec('geom', { scaleStd: 0.05, anisoStd: 0.05, rotateMax: 0.02, xfracStd: 0.02 });
    const shape = [2, 3, 12, 12];
    const aug = await augmenter(engine, shape, spec);
    const x = images(shape, 7);
    const draws = makeDraws(aug.inputs, 8);
    const y = await aug.run(x, 1, draws);
    assertClose(y, augmentReference(x, shape, 1, spec, draws), 2e-4, 1e-3, 'small geometric transforms');
    await aug.dispose();
  });

  test('filter, noise and cutout equal the reference', async () => {
    const spec = augmentSpec('bgcfnc');
    const shape = [2, 3, 24, 24];
    const aug = await augmenter(engine, shape, spec);
    const x = images(shape, 9);
    const draws = makeDraws(aug.inputs, 10);
    const y = await aug.run(x, 0.9, draws);
    assertClose(y, augmentReference(x, shape, 0.9, spec, draws), 3e-4, 1e-3, 'bgcfnc');
    await aug.dispose();
  });

  test('gradients with respect to the images (finite differences, onnxruntime vs reference)', async () => {
    const shape = [2, 3, 4, 4];
    const spec = AUGMENT_PRESETS.bgc;
    // Draws as constants, so the reference interpreter can evaluate the graph; p = 1 turns most ops on.
    const names = new Map<string, number>();
    const build = ([x]: E.Tensor[]) =>
      augmentPipe(x!, E.constant(1), spec, {
        draw: (name, s, kind) => {
          const seed = names.get(name) ?? names.size + 11;
          names.set(name, seed);
          const d = makeDraws([{ name, shape: s, random: kind }], seed)[name]!;
          return E.constant(d, s);
        },
      });
    await checkGrad(engine, { build, shapes: [shape] }, 1);
  });

  test('second-order gradients through the pipeline (R1 differentiates D(augment(reals)) twice)', async () => {
    const names = new Map<string, number>();
    const draw = (name: string, s: number[], kind: E.RandomKind) => {
      const seed = names.get(name) ?? names.size + 31;
      names.set(name, seed);
      return E.constant(makeDraws([{ name, shape: s, random: kind }], seed)[name]!, s);
    };
    // A nonlinear stand-in for D after the augmentation, so that the second derivative is not zero.
    const build = ([x]: E.Tensor[]) => E.square(augmentPipe(x!, E.constant(0.8), AUGMENT_PRESETS.bgc, { draw }));
    await checkGrad(engine, { build, shapes: [[1, 3, 4, 4]] }, 2);
  });

  test('polyphase 2x upsampling (fast path) equals the official upsample2d (reference path)', async () => {
    for (const taps of [WAVELETS.sym6, WAVELETS.sym2, [1, 3, 3, 1]]) {
      const shape = [2, 3, 5, 7];
      const x = E.input('x', shape);
      const prog = await engine.compile({ fast: upsample2x(x, taps), ref: upsample2dRef(x, taps) });
      const out = await prog.run({ x: Float32Array.from(images(shape, 2)) });
      assert.deepEqual(out.fast!.shape, [2, 3, 10, 14]);
      assertClose(out.fast!.data, out.ref!.data, 1e-5, 1e-4, `upsample2x, ${taps.length} taps`);
      await prog.dispose();
    }
  });

  test('no leak: many steps with new draws on one program, then dispose', async () => {
    const local = makeEngine();
    const shape = [4, 3, 16, 16];
    const x = E.input('x', shape);
    const dy = E.input('dy', shape);
    const y = augmentPipe(x, E.input('p', []), AUGMENT_PRESETS.bgc);
    const [dx] = E.backprop([y], [dy], [x]);
    const prog = await local.compile({ y, dx: dx! });
    const feeds = { x: Float32Array.from(images(shape, 1)), dy: Float32Array.from(images(shape, 2)), p: [0.5] };
    const { seededSource } = await import('../../src/random/source.js');
    for (let i = 0; i < 10; i++) await prog.run(feeds, { random: seededSource(i) });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 100; i++) await prog.run(feeds, { random: seededSource(i) });
    globalThis.gc?.();
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB over 100 steps`);
    assert.equal(local.liveSessions, 1);
    await prog.dispose();
    assert.equal(local.liveSessions, 0);
    await local.dispose();
  });

  test('rejects bad shapes and p with one clear message', () => {
    assert.throws(() => augmentPipe(E.input('x', [2, 4, 8, 8]), E.input('p', []), AUGMENT_PRESETS.bgc), (e: Error) => e instanceof InputError && /3 channels\) or L \(1 channel\), got 4/.test(e.message));
    assert.throws(() => augmentPipe(E.input('x', [2, 3, 8]), E.input('p', []), AUGMENT_PRESETS.bgc), InputError);
    assert.throws(() => augmentPipe(E.input('x', [2, 3, 8, 8]), E.input('p', [1]), AUGMENT_PRESETS.bgc), /scalar/);
    assert.throws(() => augmentPipe(E.input('x', [2, 3, 8, 8]), E.input('p', []), AUGMENT_PRESETS.filter), /larger than 21 pixels/);
    assert.throws(() => augmentSpec('bgcx'), /unknown augmentation preset 'bgcx'/);
    assert.throws(() => augmentSpec('bgc', { hues: 1 } as never), /unknown augmentation field 'hues'/);
  });

  test('random draws are inputs named aug_*, filled by the runtime when not fed', async () => {
    const shape = [2, 3, 8, 8];
    const x = E.input('x', shape);
    const prog = await engine.compile({ y: augmentPipe(x, E.input('p', []), AUGMENT_PRESETS.bgc) });
    const random = prog.inputs.filter((i) => i.random).map((i) => i.name);
    assert.ok(random.length >= 20 && random.every((n) => n.startsWith('aug_')), random.join(','));
    const { seededSource } = await import('../../src/random/source.js');
    const xd = Float32Array.from(images(shape, 1));
    const a = await prog.run({ x: xd, p: [1] }, { random: seededSource(1) });
    const b = await prog.run({ x: xd, p: [1] }, { random: seededSource(2) });
    const c = await prog.run({ x: xd, p: [1] }, { random: seededSource(1) });
    assert.ok(maxDiff(a.y!.data, b.y!.data) > 0.1, 'new draws give new augmentations');
    assert.equal(maxDiff(a.y!.data, c.y!.data), 0, 'the same seed gives the same augmentation');
    await prog.dispose();
    // Two pipelines in one graph draw independently under distinct prefixes (the same prefix is refused).
    const p = E.input('p', []);
    const two = await engine.compile({ real: augmentPipe(x, p, AUGMENT_PRESETS.bgc, { prefix: 'aug_real' }), fake: augmentPipe(x, p, AUGMENT_PRESETS.bgc, { prefix: 'aug_fake' }) });
    const r = await two.run({ x: xd, p: [1] }, { random: seededSource(3) });
    assert.ok(maxDiff(r.real!.data, r.fake!.data) > 0.1);
    await two.dispose();
    assert.throws(() => E.toOnnx({ a: augmentPipe(x, p, AUGMENT_PRESETS.bgc), b: augmentPipe(x, p, AUGMENT_PRESETS.bgc) }), /same name/);
  });
});
