// Leak tests on the public entry points: sessions and memory before and after many calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, loadCheckpoint, openDiscriminator, openGenerator, zFromSeed } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const MiB = 1024 * 1024;
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

test('generate 150 times on one generator: two sessions, bounded memory', async () => {
  const engine = createEngine({ threads: 1 });
  const G = openGenerator(engine, loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl')));
  for (let i = 0; i < 10; i++) await G.generate(zFromSeed(i, 64), null, { psi: 0.7, noiseMode: 'const' });
  const before = rss();
  for (let i = 0; i < 150; i++) await G.generate(zFromSeed(i, 64), null, { psi: 0.7, noiseMode: 'const' });
  const grown = rss() - before;
  assert.equal(engine.liveSessions, 2, 'mapping and synthesis programs, cached');
  assert.ok(grown < 48 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  await G.dispose();
  assert.equal(engine.liveSessions, 0);
});

test('open, run and dispose a generator and discriminator 25 times: no session left, bounded memory', async () => {
  const engine = createEngine({ threads: 1 });
  const ckpt = loadCheckpoint(fixture('stylegan2-cond-tiny', 'network.pkl'));
  const c = Float32Array.of(0, 0, 1, 0);
  const cycle = async (i: number) => {
    const G = openGenerator(engine, ckpt);
    const D = openDiscriminator(engine, ckpt);
    const img = await G.generate(zFromSeed(i, 32), c, { noiseMode: 'random', noiseSeed: i });
    await D.logits(img, c);
    await G.dispose();
    await D.dispose();
  };
  for (let i = 0; i < 5; i++) await cycle(i);
  const before = rss();
  for (let i = 0; i < 25; i++) await cycle(i);
  const grown = rss() - before;
  assert.equal(engine.liveSessions, 0);
  assert.ok(grown < 64 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
});
