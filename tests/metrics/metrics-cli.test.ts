import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readNpy } from '../../src/io/npy.js';
import { assertOk, assertOneLineError, COND, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { png, put, writeShapes } from '../data/helpers.js';
import { fixture } from '../fixtures.js';

const INCEPTION = fixture('fid-inception', 'pt_inception-random.pth');
const VGG_FEATURES = fixture('lpips-vgg', 'vgg16-features-random.pth');
const LPIPS_LIN = fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth');

/** The SWDx1e3_avg value printed by `stylelab metrics`. */
function average(stdout: string): number {
  const m = /^SWDx1e3_avg\s+([\d.]+)$/m.exec(stdout);
  assert.ok(m, `no average in:\n${stdout}`);
  return Number(m[1]);
}

/** The official-style JSONL lines printed with --json. */
function jsonLines(stdout: string): { results: Record<string, number>; metric: string; total_time: number; num_gpus: number; images: { generated?: number; real?: number } }[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l));
}

// Every test here caches under its own folder, never the user's ~/.cache.
const t = tempDir('stylelab-metrics-');
before(() => (process.env.STYLELAB_CACHE = join(t.dir, 'cache')));
after(() => {
  delete process.env.STYLELAB_CACHE;
  delete process.env.STYLELAB_METRIC_NETS;
  t.remove();
});

describe('stylelab metrics --metric swd', () => {
  it("prints SWD per level; the network's own images are closer than another data set", async () => {
    const own = join(t.dir, 'own');
    assertOk(await stylelab('generate', '--network', TINY, '--seeds', '100-107', '--outdir', own));
    const shapes = join(t.dir, 'shapes');
    await writeShapes(shapes, 8, 32);
    const r = await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', own);
    assertOk(r);
    assert.match(r.stdout, /^SWDx1e3_32\s+[\d.]+\nSWDx1e3_16\s+[\d.]+\nSWDx1e3_avg\s+[\d.]+\n\(8 real and 8 generated images\)/);
    const other = await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', shapes, '--num', '8', '--json');
    assertOk(other);
    const [json] = jsonLines(other.stdout);
    assert.equal(json!.metric, 'swd');
    assert.deepEqual(Object.keys(json!.results), ['SWDx1e3_32', 'SWDx1e3_16', 'SWDx1e3_avg']);
    assert.deepEqual(json!.images, { generated: 8, real: 8 });
    assert.ok(average(r.stdout) < 0.8 * json!.results.SWDx1e3_avg!, `own images ${average(r.stdout)} vs shapes ${json!.results.SWDx1e3_avg}`);
  });
});

describe('stylelab metrics between two image sets (as python -m pytorch_fid A B)', () => {
  const ref = JSON.parse(readFileSync(fixture('fid-inception', 'reference.json'), 'utf8')) as { fid_a_b: number; kid_a_b: number };
  /** The fixture's uint8 image sets as PNG folders. */
  before(async () => {
    for (const s of ['a', 'b']) {
      const u8 = readNpy(readFileSync(fixture('fid-inception', `images_${s}_u8.npy`)));
      const [N, H, W, C] = u8.shape as number[];
      const per = H! * W! * C!;
      for (let n = 0; n < N!; n++) put(join(t.dir, `set_${s}`, `${n}.png`), await png((u8.data as Uint8Array).subarray(n * per, (n + 1) * per), W!, H!, C!));
    }
  });
  const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

  it("fid and kid match the official values; the reference set's statistics are cached and reused", async () => {
    const r = await stylelab('metrics', '--metric', 'fid,kid', '--data', join(t.dir, 'set_a'), '--reference', join(t.dir, 'set_b'), '--inception', INCEPTION, '--json');
    assertOk(r);
    const [fid, kid] = jsonLines(r.stdout);
    assert.ok(rel(fid!.results.fid!, ref.fid_a_b) <= 1e-4, `fid ${fid!.results.fid} vs ${ref.fid_a_b}`);
    assert.ok(rel(kid!.results.kid!, ref.kid_a_b) <= 1e-4, `kid ${kid!.results.kid} vs ${ref.kid_a_b}`);
    assert.deepEqual([fid!.metric, fid!.num_gpus, fid!.images], ['fid', 1, { generated: 6, real: 6 }]);
    const cached = readdirSync(join(t.dir, 'cache', 'gan-metrics')).filter((f) => f.endsWith('.npz'));
    assert.equal(cached.length, 2, `one entry per reference-set statistic: ${cached}`); // FID's sums, KID's rows
    // Again, the network found under its usual name in STYLELAB_METRIC_NETS: the same values, text output.
    const nets = join(t.dir, 'nets');
    put(join(nets, 'README'), '');
    symlinkSync(INCEPTION, join(nets, 'pt_inception-2015-12-05-6726825d.pth'));
    process.env.STYLELAB_METRIC_NETS = nets;
    const again = await stylelab('metrics', '--metric', 'fid', '--data', join(t.dir, 'set_a'), '--reference', join(t.dir, 'set_b'));
    delete process.env.STYLELAB_METRIC_NETS;
    assertOk(again);
    assert.match(again.stdout, /^fid\s+[\d.]+\n\(6 images and 6 reference images\)\n$/);
    assert.ok(rel(Number(/^fid\s+([\d.]+)/.exec(again.stdout)![1]), ref.fid_a_b) <= 1e-4);
  });

  it("transparent PNGs: the alpha channel is dropped and the colours under it kept (PIL's convert('RGB'))", async () => {
    // set_a again as RGBA: the same colours, alpha 0 on the left half and 128 on the right.
    const u8 = readNpy(readFileSync(fixture('fid-inception', 'images_a_u8.npy')));
    const [N, H, W] = u8.shape as number[];
    for (let n = 0; n < N!; n++) {
      const rgba = new Uint8Array(H! * W! * 4);
      for (let i = 0; i < H! * W!; i++) {
        for (let c = 0; c < 3; c++) rgba[i * 4 + c] = (u8.data as Uint8Array)[(n * H! * W! + i) * 3 + c]!;
        rgba[i * 4 + 3] = i % W! < W! / 2 ? 0 : 128;
      }
      put(join(t.dir, 'set_a_rgba', `${n}.png`), await png(rgba, W!, H!, 4));
    }
    const r = await stylelab('metrics', '--metric', 'fid', '--data', join(t.dir, 'set_a_rgba'), '--reference', join(t.dir, 'set_b'), '--inception', INCEPTION, '--json', '--no-cache');
    assertOk(r);
    const fid = jsonLines(r.stdout)[0]!.results.fid!;
    assert.ok(rel(fid, ref.fid_a_b) <= 1e-4, `fid ${fid} vs ${ref.fid_a_b}`);
  });

  it('refuses what needs a network, and sets of mixed sizes', async () => {
    const a = join(t.dir, 'set_a');
    assertOneLineError(await stylelab('metrics', '--metric', 'ppl2_wend', '--data', a, '--reference', a), /ppl2_wend measures a network: give it with --network/, 'ppl');
    assertOneLineError(await stylelab('metrics', '--metric', 'fid', '--data', a, '--inception', INCEPTION), /fid compares two image sets: give the second with --reference/, 'no reference');
    const mixed = join(t.dir, 'mixed');
    await writeShapes(mixed, 2, 16);
    await writeShapes(mixed, 3, 32, (i) => `z${i}.png`);
    assertOneLineError(await stylelab('metrics', '--metric', 'fid', '--data', mixed, '--reference', a, '--inception', INCEPTION, '--no-cache'), /z0\.png: 32x32x3, but the set's first image is 16x16x3/, 'mixed sizes');
  });
});

describe('stylelab metrics for a network', () => {
  it('fid50k_full, kid50k_full and is50k of a few generated images; ppl2_wend with LPIPS', async () => {
    const shapes = join(t.dir, 'shapes32');
    await writeShapes(shapes, 4, 32);
    const r = await stylelab('metrics', '--metric', 'fid50k_full,kid50k_full,is50k', '--network', TINY, '--data', shapes, '--num', '4', '--inception', INCEPTION, '--json');
    assertOk(r);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(lines.map((l) => Object.keys(l.results)), [['fid50k_full'], ['kid50k_full'], ['is50k_mean', 'is50k_std']]);
    assert.ok(lines[0]!.results.fid50k_full! > 0 && Number.isFinite(lines[0]!.results.fid50k_full!));
    assert.deepEqual(lines[0]!.images, { generated: 4, real: 4 });
    assert.ok(lines[2]!.results.is50k_mean! >= 1);
    const ppl = await stylelab('metrics', '--metric', 'ppl2_wend', '--network', TINY, '--num', '4', '--vgg16', VGG_FEATURES, '--lpips', LPIPS_LIN);
    assertOk(ppl);
    assert.match(ppl.stdout, /^ppl2_wend\s+[\d.e+]+\n\(8 generated images\)\n$/);
  });

  it('refuses bad requests with one line', async () => {
    const small = join(t.dir, 'small');
    await writeShapes(small, 2, 16);
    const shapes = join(t.dir, 'shapes');
    assertOneLineError(await stylelab('metrics', '--metric', 'fid100', '--network', TINY, '--data', small), /unknown metric 'fid100' \(known: fid50k_full, fid, kid50k_full/, 'metric name');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', small), /images are 16x16, expected 32x32/, 'resolution');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', TINY, '--data', shapes, '--num', '9'), /9 images asked for, but .* has 8/, 'num');
    assertOneLineError(await stylelab('metrics', '--metric', 'swd', '--network', COND, '--data', shapes), /labels were asked for but the data set has none/, 'conditional');
    assertOneLineError(await stylelab('metrics', '--metric', 'fid50k_full', '--network', TINY), /fid50k_full compares the network's images with real ones: give the data set with --data/, 'no data');
    assertOneLineError(await stylelab('metrics', '--metric', 'fid', '--network', TINY, '--data', shapes, '--reference', shapes), /--reference compares two image sets/, 'reference with network');
  });

  it('a missing feature-network file: one line naming the file, where to get it and the flag', async () => {
    const shapes = join(t.dir, 'shapes');
    assertOneLineError(
      await stylelab('metrics', '--metric', 'fid50k_full', '--network', TINY, '--data', shapes),
      /fid50k_full needs pytorch-fid's Inception weights pt_inception-2015-12-05-6726825d\.pth \(download it from https:\/\/github\.com\/mseitzer\/pytorch-fid\/releases\/download\/fid_weights\/pt_inception-2015-12-05-6726825d\.pth\); pass --inception FILE or set STYLELAB_METRIC_NETS/,
      'no inception',
    );
    assertOneLineError(await stylelab('metrics', '--metric', 'ppl2_wend', '--network', TINY, '--vgg16', VGG_FEATURES), /ppl2_wend needs the LPIPS v0\.1 VGG linear layers vgg\.pth .*weights\/v0\.1\/vgg\.pth.*--lpips FILE/, 'no lpips');
    assertOneLineError(await stylelab('metrics', '--metric', 'is50k', '--network', TINY, '--inception', join(t.dir, 'nope.pth')), /--inception .*nope\.pth: no such file/, 'bad path');
    assertOneLineError(await stylelab('metrics', '--metric', 'is50k', '--network', TINY, '--inception', LPIPS_LIN, '--num', '2'), /this file is not pytorch-fid's FID Inception \(pt_inception-2015-12-05-6726825d\.pth\)/, 'wrong file');
    assertOneLineError(await stylelab('metrics', '--metric', 'pr50k3_full', '--network', TINY, '--data', shapes, '--vgg16', VGG_FEATURES, '--num', '2'), /not torchvision's VGG16 \(vgg16-397923af\.pth\): it has no tensor 'classifier\.0\.weight'/, 'vgg without classifier');
    assert.ok(!existsSync(join(t.dir, 'nope.pth')));
  });
});
