// Leak tests on the metrics' public entry points: sessions released and memory bounded over repeated runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { computeMetrics } from '../../src/metrics/features.js';
import { OrtGemm64 } from '../../src/metrics/gemm64.js';
import { Lpips, LpipsSession, readLpipsLinear } from '../../src/metrics/lpips.js';
import { FidInception, readInception } from '../../src/metrics/nets/inception.js';
import { readVgg16 } from '../../src/metrics/nets/vgg16.js';
import { type FeatureNets, type ImageSource, metricsByName } from '../../src/metrics/registry.js';
import { createEngine } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const MiB = 1024 * 1024;
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

test('LPIPS distances 40 times: one session, bounded memory, none after dispose', async () => {
  const engine = createEngine({ threads: 1 });
  const lpips = new Lpips(readVgg16(readFileSync(fixture('lpips-vgg', 'vgg16-features-random.pth')), false), readLpipsLinear(readFileSync(fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth'))));
  const s = new LpipsSession(engine, lpips);
  const x = Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i));
  const y = Float32Array.from(x, (v) => -v);
  for (let i = 0; i < 5; i++) await s.distances(x, y, [2, 3, 32, 32]);
  const before = rss();
  for (let i = 0; i < 40; i++) await s.distances(x, y, [2, 3, 32, 32]);
  const grown = rss() - before;
  assert.equal(engine.liveSessions, 1);
  assert.ok(grown < 48 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  await s.dispose();
  assert.equal(engine.liveSessions, 0);
});

/** An in-memory image set of `count` 16x16 RGB images. */
function memorySet(count: number, seed: number): ImageSource {
  return {
    name: `set ${seed}`,
    count,
    channels: 3,
    height: 16,
    width: 16,
    images: async (start, n) => Uint8Array.from({ length: n * 3 * 256 }, (_, i) => (i * 7 + (start + seed) * 13) % 256),
    contentKey: async () => null,
  };
}

test('fid and kid between two sets 5 times: every program and the float64 session released, bounded memory', async () => {
  const engine = createEngine({ threads: 1 });
  const inception = new FidInception(readInception(readFileSync(fixture('fid-inception', 'pt_inception-random.pth'))));
  const nets: FeatureNets = {
    inception: () => inception,
    vgg16: () => assert.fail('not needed'),
    lpips: () => assert.fail('not needed'),
    hash: () => 'test',
  };
  const cycle = async () => {
    const gemm = await OrtGemm64.create(engine);
    const ctx = { engine, G: null, fakes: memorySet(3, 1), reals: memorySet(3, 2), dataset: null, num: null, seed: 0, nets, batch: 3, gemm: gemm.gemm, progress: () => ({ tick: () => {}, stop: () => {} }) };
    const [fid, kid] = await computeMetrics(metricsByName('fid,kid'), ctx, null);
    assert.ok(Number.isFinite(fid!.results.fid) && Number.isFinite(kid!.results.kid));
    await gemm.dispose();
    assert.equal(gemm.native, false, 'the float64 session is released');
    assert.equal(engine.liveSessions, 0);
  };
  await cycle();
  const before = rss();
  for (let i = 0; i < 4; i++) await cycle();
  const grown = rss() - before;
  // Each run compiles the 95 MB Inception; RSS wanders by about that much, a leaked program would add it per run.
  assert.ok(grown < 200 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  await engine.dispose();
});
