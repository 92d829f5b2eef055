// StyleGAN3 building blocks: filter design against the official numbers (scipy firwin / jinc, and every filter
// buffer stored in the fixture snapshots), filtered_lrelu fast path against the official reference, the
// gen_images.py transform, and configuration validation.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { CheckpointError } from '../../src/errors.js';
import { loadCheckpoint, toFloat32 } from '../../src/node.js';
import { generatorConfig3FromKwargs, layerFilters, synthesisPlan } from '../../src/nets/stylegan3/config.js';
import { besselJ1, designLowpassFilter, kaiserAtten, kaiserBeta, type LowpassFilter } from '../../src/nets/stylegan3/filters.js';
import { filteredLrelu, filteredLreluInStrips, filteredLreluRef, type FilteredLreluOptions } from '../../src/nets/stylegan3/filtered-lrelu.js';
import { inputTransform, invert3x3, makeTransform } from '../../src/nets/stylegan3/transform.js';
import { assertClose, makeEngine, randomND, rng } from '../engine/harness.js';
import { fixture } from '../fixtures.js';

const engine = makeEngine();
after(() => engine.dispose());

describe('design_lowpass_filter', () => {
  test('1024x1024 config T, layer 0 up filter: 12 taps, Kaiser beta 6.4437, official values', () => {
    const cfg = generatorConfig3FromKwargs({ z_dim: 512, c_dim: 0, w_dim: 512, img_resolution: 1024, img_channels: 3 });
    const l0 = synthesisPlan(cfg.synthesis).layers[0]!;
    assert.equal(l0.upTaps, 12);
    assert.equal(l0.name, 'L0_36_512');
    const beta = kaiserBeta(kaiserAtten(l0.upTaps, (l0.inHalfWidth * 2) / (l0.tmpSamplingRate / 2)));
    assert.ok(Math.abs(beta - 6.4437) < 1e-4, `beta ${beta}`);
    const f = layerFilters(l0).up;
    assert.equal(f?.kind, 'separable');
    if (f?.kind !== 'separable') return;
    assertClose(f.taps.slice(0, 4), [0.0007919, 0.01001832, 0.03894952, 0.09241279], 1e-8, 0, 'taps');
    assertClose([f.taps.reduce((a, b) => a + b, 0)], [1], 1e-6, 0, 'unit DC gain');
    // The official 1024 T layout: 14 layers + ToRGB, the last two sized to the image (1024).
    const names = synthesisPlan(cfg.synthesis).layers.map((l) => l.name);
    assert.deepEqual(names.slice(-3), ['L12_1044_32', 'L13_1024_32', 'L14_1024_3']);
  });

  test('J1 matches known values (jinc of the radial filters)', () => {
    // Abramowitz & Stegun table 9.1.
    assertClose([besselJ1(1), besselJ1(2.5), besselJ1(10), besselJ1(-3)], [0.4400505857, 0.4970941025, 0.0434727462, -0.3390589585], 1e-9, 0, 'J1');
  });

  for (const dir of ['stylegan3-t-tiny', 'stylegan3-r-tiny']) {
    test(`${dir}: every stored up/down filter equals our design (the official float32 numbers)`, () => {
      const net = loadCheckpoint(fixture(dir, 'network.pkl')).networks.G_ema!;
      if (net.arch !== 'stylegan3') throw new Error('expected stylegan3');
      let compared = 0;
      for (const l of synthesisPlan(net.config.synthesis).layers) {
        const f = layerFilters(l);
        for (const [name, ours] of [['up_filter', f.up], ['down_filter', f.down]] as [string, LowpassFilter][]) {
          const stored = net.tensors.get(`synthesis.${l.name}.${name}`);
          if (!ours) {
            assert.equal(stored, undefined, `${l.name}.${name} is None officially`);
            continue;
          }
          const data = ours.kind === 'separable' ? ours.taps : ours.kernel.data;
          assert.deepEqual(stored!.shape, ours.kind === 'separable' ? [data.length] : [...ours.kernel.shape], `${l.name}.${name} shape`);
          assertClose(data, toFloat32(stored!), 1e-7, 1e-6, `${l.name}.${name}`);
          compared++;
        }
      }
      assert.ok(compared >= 28, `compared ${compared} filters`);
    });
  }
});

describe('filtered_lrelu: fast path equals the official _filtered_lrelu_ref', () => {
  const sep = (n: number, c: number, fs: number) => designLowpassFilter(n, c, 2, fs);
  const radial = designLowpassFilter(8, 3, 2, 16, true);
  const cases: [string, number[], Omit<FilteredLreluOptions, 'b'>][] = [
    ['up 2 down 2, separable, positive pads', [2, 3, 9, 9], { fu: sep(12, 2, 16), fd: sep(12, 2.5, 16), up: 2, down: 2, padding: [11, 10, 11, 10], clamp: 0.5 }],
    ['up 4 down 2, asymmetric negative pads', [1, 2, 10, 10], { fu: sep(24, 2, 32), fd: sep(12, 4, 32), up: 4, down: 2, padding: [-3, 5, 2, -1] }],
    ['up 2 down 4', [1, 2, 12, 12], { fu: sep(12, 3, 16), fd: sep(24, 2, 16), up: 2, down: 4, padding: [12, 12, 12, 12] }],
    ['radial down filter (config R)', [1, 3, 8, 8], { fu: sep(8, 2, 16), fd: radial, up: 2, down: 2, padding: [6, 5, 6, 5] }],
    ['identity filters, crop (ToRGB-like, slope 1, gain 1)', [2, 3, 7, 7], { fu: null, fd: null, padding: [-1, -1, -1, -1], gain: 1, slope: 1, clamp: 0.3 }],
  ];
  for (const [name, shape, o] of cases) {
    test(`${name}, x=[${shape}]`, async () => {
      const r = rng(7);
      const x = E.input('x', shape);
      const b = E.input('b', [shape[1]!]);
      const fast = filteredLrelu(x, { ...o, b });
      const ref = filteredLreluRef(x, { ...o, b });
      // In strips of about 3 output rows: each strip reads only its input rows, with shifted paddings.
      const strips = filteredLreluInStrips(x, { ...o, b }, Math.ceil((shape[0]! * shape[1]! * shape[2]! * shape[3]! * (o.up ?? 1) ** 2) / 3));
      assert.deepEqual(fast.shape, ref.shape);
      const prog = await engine.compile({ fast, ref, strips });
      const out = await prog.run({ x: Array.from(randomND(shape, r).data), b: Array.from(randomND([shape[1]!], r).data) });
      await prog.dispose();
      assertClose(out.fast!.data, out.ref!.data, 1e-5, 1e-4, 'fast vs reference');
      assertClose(out.strips!.data, out.ref!.data, 1e-5, 1e-4, 'fast in strips vs reference');
      assert.ok(out.ref!.data.some((v) => Math.abs(v) > 1e-3), 'non-trivial output');
    });
  }
});

describe('the gen_images.py input transform', () => {
  test('make_transform then inverse: translation is negated, rotation transposed', () => {
    assertClose(inputTransform([0.25, -0.1], 0), [1, 0, -0.25, 0, 1, 0.1, 0, 0, 1], 1e-7, 0, 'translate');
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    assertClose(inputTransform([0, 0], 30), [c, -s, 0, s, c, 0, 0, 0, 1], 1e-7, 0, 'rotate');
    const m = makeTransform([0.3, 0.7], 77);
    const inv = invert3x3(m);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += m[i * 3 + k]! * inv[k * 3 + j]!;
      assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-12);
    }
    assert.throws(() => invert3x3([1, 2, 3, 2, 4, 6, 0, 0, 1]), /singular/);
  });
});

describe('StyleGAN3 configuration validation', () => {
  const base = { z_dim: 8, c_dim: 0, w_dim: 8, img_resolution: 16, img_channels: 3, channel_base: 256, channel_max: 16 };
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['unknown argument', { ...base, architecture: 'skip' }, /unsupported synthesis argument 'architecture'/],
    ['resolution not a power of two', { ...base, img_resolution: 24 }, /power of two/],
    ['even conv kernel', { ...base, conv_kernel: 2 }, /conv_kernel must be odd/],
    ['num_critical >= num_layers', { ...base, num_layers: 2, num_critical: 2 }, /num_critical/],
    ['string channel_base', { ...base, channel_base: '512' }, /channel_base' must be a number/],
    ['non-boolean use_radial_filters', { ...base, use_radial_filters: 1 }, /use_radial_filters/],
    ['huge resolution', { ...base, img_resolution: 1 << 20 }, /img_resolution/],
    ['negative margin', { ...base, margin_size: -30 }, /margin_size/],
    ['unknown mapping argument', { ...base, mapping_kwargs: { layer_features: 3 } }, /unsupported mapping argument/],
  ];
  for (const [what, kw, re] of bad) {
    test(`rejects ${what}`, () => {
      assert.throws(() => generatorConfig3FromKwargs(kw), (e: unknown) => e instanceof CheckpointError && re.test((e as Error).message));
    });
  }
  test('accepts a small valid config and derives 16 ws', () => {
    const cfg = generatorConfig3FromKwargs(base);
    assert.equal(cfg.mapping.numWs, 16);
    assert.equal(synthesisPlan(cfg.synthesis).layers.length, 15);
  });
});
