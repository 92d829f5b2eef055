// EngineOptions.profilePrefix: each session writes an onnxruntime profile with per-node kernel times, flushed at dispose.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { createEngine } from '../../src/node.js';

test('profilePrefix writes a profile naming the graph nodes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stylelab-profile-'));
  try {
    const engine = createEngine({ threads: 1, profilePrefix: join(dir, 'p') });
    const x = E.input('x', [2, 3]);
    const p = await engine.compile({ y: E.relu(E.mul(x, 2)) });
    const out = await p.run({ x: [1, -2, 3, -4, 5, -6] });
    assert.deepEqual([...out.y!.data], [2, 0, 6, 0, 10, 0]);
    await p.dispose();
    await engine.dispose();
    const files = readdirSync(dir).filter((f) => f.startsWith('p_') && f.endsWith('.json'));
    assert.equal(files.length, 1);
    const events = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { cat?: string; args?: { op_name?: string } }[];
    const ops = new Set(events.filter((e) => e.cat === 'Node').map((e) => e.args?.op_name));
    assert.ok(ops.has('Relu') || ops.has('Mul'), `profile ops: ${[...ops]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
