// TensorFlow-era StyleGAN2 pickles: the official fixture (network-tf.pkl, whose images and D logits come from
// NVlabs legacy.py's conversion) read directly, with its images (uint8 rule) and D logits (1e-3) matched.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { createEngine, loadCheckpoint, openDiscriminator, openGenerator } from '../../src/node.js';
import { toUint8Image } from '../../src/models/generate.js';
import { assertU8Close, fixtureU8, readFixtureNpy } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

const TF = fixture('stylegan2-tf-tiny', 'network-tf.pkl');

interface Call { seed: number; psi: number; img: string; uint8_nhwc: string }
const ref = JSON.parse(readFileSync(fixture('stylegan2-tf-tiny', 'reference.json'), 'utf8')) as { calls: Call[]; G_static_kwargs: Record<string, number> };

describe('stylegan2-tf-tiny (official TF pickle)', () => {
  test('G, D and Gs (as G_ema) read with the configuration legacy.py gives them', () => {
    const ckpt = loadCheckpoint(TF);
    assert.equal(ckpt.format, 'nvidia-tf-pkl');
    assert.equal(ckpt.arch, 'stylegan2');
    assert.deepEqual(Object.keys(ckpt.networks).sort(), ['D', 'G', 'G_ema']);
    const g = ckpt.networks.G_ema!;
    assert.ok(g.kind === 'generator' && g.arch === 'stylegan2');
    assert.equal(g.config.synthesis.channelBase, 2 * ref.G_static_kwargs['fmap_base']!); // fmap_base * 2
    assert.equal(g.config.mapping.wAvgBeta, 0.995); // legacy.py's default, not PyTorch's 0.998
    assert.equal(g.config.synthesis.convClamp, 256);
    const d = ckpt.networks.D!;
    assert.ok(d.kind === 'discriminator' && d.arch === 'stylegan2');
    assert.equal(d.config.architecture, 'resnet');
    assert.equal(d.config.mbstdGroupSize, 4);
  });

  test('images (psi 0.7, noise const) and D logits match the official conversion', async () => {
    const ckpt = loadCheckpoint(TF);
    const G = openGenerator(engine, ckpt);
    const D = openDiscriminator(engine, ckpt);
    try {
      for (const call of ref.calls) {
        const z = readFixtureNpy('stylegan2-tf-tiny', `z_seed${call.seed}.npy`).data;
        const img = await G.generate(z, null, { psi: call.psi, noiseMode: 'const' });
        const want = readFixtureNpy('stylegan2-tf-tiny', call.img).data;
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(img[i]! - want[i]!));
        assert.ok(worst < 1e-3, `seed ${call.seed}: float image ${worst} from the official`);
        assertU8Close(toUint8Image(img, 3, 32, 32), fixtureU8('stylegan2-tf-tiny', call.uint8_nhwc), `seed ${call.seed}`);
        const logits = await D.logits(want, null);
        const wantLogits = readFixtureNpy('stylegan2-tf-tiny', `d_logits_seed${call.seed}.npy`).data;
        assert.equal(logits.length, wantLogits.length);
        for (let i = 0; i < logits.length; i++) assert.ok(Math.abs(logits[i]! - wantLogits[i]!) < 1e-3, `seed ${call.seed} logit ${logits[i]} vs ${wantLogits[i]}`);
      }
    } finally {
      await G.dispose();
      await D.dispose();
    }
  });
});
