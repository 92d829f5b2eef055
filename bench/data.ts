// npm run bench:data: reading training data (first epoch decodes, later epochs hit the in-memory cache) and the
// SWD metric (plain JavaScript vs projections on ONNX Runtime), on generated 64x64 shape images.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertDataset, createEngine, openDataset, slicedWassersteinDistance, slicedWassersteinDistanceOnEngine } from '../src/node.js';
import { writeShapes } from '../tests/data/helpers.js';

const R = 64;
const COUNT = 256;

/** Milliseconds per image over one pass through the data set. */
async function epochMs(ds: Awaited<ReturnType<typeof openDataset>>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < ds.size; i++) await ds.image(i);
  return (performance.now() - t) / ds.size;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stylelab-bench-data-'));
  try {
    await writeShapes(join(dir, 'src'), COUNT, R);
    let t = performance.now();
    await convertDataset({ source: join(dir, 'src'), dest: join(dir, 'd.zip') });
    console.log(`dataset tool: ${((performance.now() - t) / COUNT).toFixed(2)} ms per ${R}x${R} image (${COUNT} images)`);
    for (const [what, path] of [['folder', join(dir, 'src')], ['zip', join(dir, 'd.zip')]] as const) {
      for (const cacheBytes of [0, undefined]) {
        const ds = await openDataset(path, { cacheBytes });
        const first = await epochMs(ds);
        const second = await epochMs(ds);
        await ds.close();
        console.log(`read ${what}, cache ${cacheBytes === 0 ? 'off' : 'on '}: epoch 1 ${first.toFixed(3)} ms/image, epoch 2 ${second.toFixed(3)} ms/image`);
      }
    }
    const ds = await openDataset(join(dir, 'd.zip'));
    const images = new Uint8Array(COUNT * 3 * R * R);
    for (let i = 0; i < COUNT; i++) images.set(await ds.image(i), i * 3 * R * R);
    await ds.close();
    const half = COUNT / 2;
    const real = images.subarray(0, half * 3 * R * R);
    const fake = images.subarray(half * 3 * R * R);
    const o = { count: half, channels: 3, resolution: R };
    t = performance.now();
    const js = slicedWassersteinDistance(real, fake, o);
    console.log(`SWD ${half} vs ${half} images ${R}x${R}, JavaScript: ${((performance.now() - t) / 1e3).toFixed(2)} s (mean ${js.mean.toFixed(3)})`);
    const engine = createEngine({ threads: 2 });
    await slicedWassersteinDistanceOnEngine(real, fake, o, engine); // compiles the projection
    t = performance.now();
    const onOrt = await slicedWassersteinDistanceOnEngine(real, fake, o, engine);
    console.log(`SWD ${half} vs ${half} images ${R}x${R}, ONNX Runtime (2 threads): ${((performance.now() - t) / 1e3).toFixed(2)} s (mean ${onOrt.mean.toFixed(3)})`);
    await engine.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
