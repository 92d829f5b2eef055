// EQ-T, EQ-T_frac and EQ-R on cases with known answers: a band-limited image rendered at transformed coordinates
// (exactly equivariant: integer shifts give MSE 0, the others tens of dB), the same with a texture stuck to the
// pixel grid (PSNR = 10 log10(4 / 2 sigma^2) for i.i.d. texture of deviation sigma), StyleGAN3-T against a StyleGAN2
// (which has no input transform, so its images do not move), StyleGAN3-R against -T on rotations; the registry and CLI.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { equivariance, type TransformableGenerator, transformableGenerator } from '../../src/metrics/equivariance.js';
import { metricsByName } from '../../src/metrics/registry.js';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { RandomState } from '../../src/random/numpy-random.js';
import { assertOk, assertOneLineError, stylelab, TINY } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';

const R = 32;
const K = 12; // cosines per image and channel

/**
 * Images of K random cosines (frequencies up to `fmax` cycles per image width) per channel, evaluated at the
 * transformed pixel centres (x, y) = A (u, v) + b, u and v in image widths: StyleGAN3's input convention. `sticky`
 * [3, R, R] is added in pixel space, unmoved by the transform.
 */
function cosines(fmax: number, sticky: Float32Array | null = null): TransformableGenerator {
  return {
    imgResolution: R,
    imgChannels: 3,
    async sample(batch, rs) {
      const p = new Float32Array(batch * 3 * K * 4); // [fx, fy, phase, amplitude] per cosine
      for (let i = 0; i < p.length; i += 4) {
        const [r, th] = [fmax * Math.sqrt(rs.randomSample()), 2 * Math.PI * rs.randomSample()];
        p.set([r * Math.cos(th), r * Math.sin(th), rs.randomSample(), (0.5 / Math.sqrt(K)) * rs.randn(1)[0]!], i);
      }
      return p;
    },
    async synthesize(p, M) {
      const planes = p.length / (K * 4);
      const out = new Float32Array(planes * R * R);
      for (let q = 0; q < planes; q++)
        for (let i = 0; i < R; i++)
          for (let j = 0; j < R; j++) {
            const [u, v] = [(j + 0.5) / R - 0.5, (i + 0.5) / R - 0.5];
            const [x, y] = [M[0]! * u + M[1]! * v + M[2]!, M[3]! * u + M[4]! * v + M[5]!];
            let s = 0;
            for (let k = 0; k < K; k++) {
              const o = (q * K + k) * 4;
              s += p[o + 3]! * Math.cos(2 * Math.PI * (p[o]! * x + p[o + 1]! * y + p[o + 2]!));
            }
            out[(q * R + i) * R + j] = s + (sticky ? sticky[((q % 3) * R + i) * R + j]! : 0);
          }
      return out;
    },
  };
}

describe('equivariance on known answers', () => {
  test('an exactly equivariant band-limited image: EQ-T infinite (MSE 0), EQ-T_frac and EQ-R above 50 dB', async () => {
    const psnr = await equivariance(cosines(6), { num: 32, kinds: ['eqt_int', 'eqt_frac', 'eqr'] });
    // Measured: Infinity, 58.1 and 58.5 dB (the Lanczos-3 interpolation of the reference is what limits the last two).
    assert.equal(psnr.eqt_int, Infinity);
    assert.ok(psnr.eqt_frac! > 50, `EQ-T_frac ${psnr.eqt_frac}`);
    assert.ok(psnr.eqr! > 50, `EQ-R ${psnr.eqr}`);
    // Higher frequencies are interpolated less well: lower PSNR.
    const sharp = await equivariance(cosines(10), { num: 32, kinds: ['eqr'] });
    assert.ok(sharp.eqr! < psnr.eqr! - 5, `EQ-R ${sharp.eqr} at 10 cycles vs ${psnr.eqr} at 6`);
  });

  test('texture stuck to the pixel grid (sigma 0.1): EQ-T = 10 log10(4 / (2 sigma^2)) = 23.01 dB within 0.5 dB', async () => {
    const rs = new RandomState(11);
    const sticky = Float32Array.from(rs.randn(3 * R * R), (v) => 0.1 * v);
    const psnr = await equivariance(cosines(6, sticky), { num: 32, kinds: ['eqt_int'] });
    const expected = 10 * Math.log10(4 / (2 * 0.1 ** 2));
    assert.ok(Math.abs(psnr.eqt_int! - expected) < 0.5, `EQ-T ${psnr.eqt_int} vs ${expected}`);
  });
});

describe('equivariance of networks', () => {
  const engine = createEngine({ threads: 1 });
  const G3t = openGenerator(engine, loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl')));
  const G3r = openGenerator(engine, loadCheckpoint(fixture('stylegan3-r-tiny', 'network.pkl')));
  const G2 = openGenerator(engine, loadCheckpoint(TINY));
  after(async () => {
    for (const G of [G3t, G3r, G2]) await G.dispose();
    await engine.dispose();
  });

  test('EQ-T: StyleGAN3-T above 50 dB; a StyleGAN2, whose images cannot move (no input transform), below 10 dB', async () => {
    const sg3 = await equivariance(transformableGenerator(G3t), { num: 4, kinds: ['eqt_int'] });
    // StyleGAN2 through the same metric with the transform ignored: the only thing it can do.
    const sg2: TransformableGenerator = { imgResolution: R, imgChannels: 3, sample: (b, rs) => G2.mapping(rs.randn(b, G2.zDim), null), synthesize: (ws) => G2.synthesis(ws) };
    const still = await equivariance(sg2, { num: 4, kinds: ['eqt_int'] });
    // Measured (16 samples): 70.8 and 4.9 dB.
    assert.ok(sg3.eqt_int! > 50, `StyleGAN3-T EQ-T ${sg3.eqt_int}`);
    assert.ok(still.eqt_int! < 10, `StyleGAN2 EQ-T ${still.eqt_int}`);
  });

  test('EQ-R: StyleGAN3-R (rotation equivariant by design) scores 20 dB above StyleGAN3-T', async () => {
    const t = await equivariance(transformableGenerator(G3t), { num: 4, kinds: ['eqr'] });
    const r = await equivariance(transformableGenerator(G3r), { num: 4, kinds: ['eqr'] });
    // Measured (16 samples): T 30.8 dB, R 79.2 dB (the paper's pattern: only config R is rotation equivariant).
    assert.ok(r.eqr! > t.eqr! + 20, `EQ-R: R ${r.eqr} vs T ${t.eqr}`);
    // The metric opens no program of its own: only the generators' cached mapping and synthesis programs.
    assert.equal(engine.liveSessions, G3t.sessions + G3r.sessions + G2.sessions);
    const before = G3t.sessions;
    await equivariance(transformableGenerator(G3t), { num: 4, kinds: ['eqr'] });
    assert.equal(G3t.sessions, before, 'a second run reuses the cached programs');
  });

  test('a StyleGAN2 network is refused with one clear message; bad options too', async () => {
    assert.throws(() => transformableGenerator(G2), (e: Error) => e instanceof InputError && /StyleGAN3 network .* this network is stylegan2, which has no input transform/.test(e.message));
    await assert.rejects(equivariance(cosines(6), { num: 0, kinds: ['eqr'] }), /positive integer/);
    await assert.rejects(equivariance(cosines(6), { num: 4, kinds: [] }), /at least one/);
  });
});

describe('equivariance in the registry and the CLI', () => {
  test('eqt50k_int, eqt50k_frac, eqr50k are registered: 50k samples, no feature network, no data set', () => {
    const defs = metricsByName('eqt50k_int,eqt50k_frac,eqr50k');
    assert.deepEqual(defs.map((d) => [d.name, d.defaultNum, d.nets.length, d.reals]), [
      ['eqt50k_int', 50000, 0, 'labels'],
      ['eqt50k_frac', 50000, 0, 'labels'],
      ['eqr50k', 50000, 0, 'labels'],
    ]);
  });

  test('stylelab metrics --metric eqt50k_int on StyleGAN3 prints the PSNR; on StyleGAN2 one line before any work', async () => {
    const r = await stylelab('metrics', '--metric', 'eqt50k_int', '--network', fixture('stylegan3-t-tiny', 'network.pkl'), '--num', '4', '--json');
    assertOk(r);
    const line = JSON.parse(r.stdout.trim()) as { metric: string; results: Record<string, number>; images: { generated: number } };
    assert.equal(line.metric, 'eqt50k_int');
    assert.ok(line.results.eqt50k_int! > 50, `${line.results.eqt50k_int}`);
    assert.deepEqual(line.images, { generated: 8 });
    assertOneLineError(await stylelab('metrics', '--metric', 'eqr50k', '--network', TINY, '--num', '4'), /eqr50k measures stylegan3 networks only; this network is stylegan2/, 'StyleGAN2');
  });

  test('stylelab train --cfg stylegan2 --metrics eqt50k_int is refused before training starts', async () => {
    const r = await stylelab('train', '--data', 'no-such-data.zip', '--outdir', 'no-such-run', '--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--metrics', 'eqt50k_int');
    assertOneLineError(r, /eqt50k_int measures stylegan3 networks only; this network is stylegan2/, 'train');
  });
});
