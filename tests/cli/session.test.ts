// withGenerator releases every ONNX Runtime session it opened, on success and on failure (leak test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generator } from '../../src/models/generator.js';
import { zFromSeed } from '../../src/random/numpy-random.js';
import { withGenerator } from '../../src/cli/session.js';
import { TINY } from './helpers.js';

test('withGenerator: no live session after a run', async () => {
  let G: Generator | null = null;
  await withGenerator(TINY, { threads: 1, verbose: false }, async (g) => {
    G = g;
    await g.generate(zFromSeed(0, g.zDim), null, { psi: 0.7 });
    assert.equal(g.engine.liveSessions, 2, 'mapping and synthesis are open during the run');
  });
  assert.equal(G!.sessions, 0);
  assert.equal(G!.engine.liveSessions, 0);
});

test('withGenerator: no live session after a failure', async () => {
  let G: Generator | null = null;
  await assert.rejects(
    withGenerator(TINY, { threads: 1, verbose: false }, async (g) => {
      G = g;
      await g.mapping(zFromSeed(0, g.zDim), null);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(G!.engine.liveSessions, 0);
});
