// Leak test of the projection entry point: create, step, synthesize and dispose many times; no session left and
// bounded memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEngine, loadCheckpoint, openGenerator, zFromSeed } from '../../src/node.js';
import { mseDistance } from '../../src/project/distance.js';
import { Projector } from '../../src/project/projector.js';
import { fixture } from '../fixtures.js';

const MiB = 1024 * 1024;
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

test('20 projections (create, 3 steps, synthesize, dispose): no session left, bounded memory', async () => {
  const engine = createEngine({ threads: 1 });
  const G = openGenerator(engine, loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl')));
  const target = await G.generate(zFromSeed(1, G.zDim), null, { psi: 0.7 });
  const cycle = async () => {
    const p = await Projector.create(G, target, mseDistance(), { numSteps: 3, wAvgSamples: 100 });
    await p.run();
    await p.synthesize();
    await p.dispose();
  };
  for (let i = 0; i < 3; i++) await cycle();
  const sessions = engine.liveSessions;
  const before = rss();
  for (let i = 0; i < 20; i++) await cycle();
  const grown = rss() - before;
  assert.equal(engine.liveSessions, sessions, 'only the generator\'s cached programs stay open');
  assert.equal(sessions, G.sessions);
  assert.ok(grown < 64 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  await G.dispose();
  assert.equal(engine.liveSessions, 0);
  await engine.dispose();
});
