// npm run bench: milliseconds per image and peak memory of randomly initialised StyleGAN2 generators
// (256x256 channel_base 16384, 1024x1024 channel_base 32768; channel_max 512, batch 1), run through the
// library and through the exported ONNX model. Each size runs in its own process so peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createEngine, Weights, StyleGAN2Generator, zFromSeed } from '../src/node.js';
import { stylegan2Config } from './configs.js';
import { toOnnx } from '../src/engine/onnx.js';
import { generatorSpecs, initialize } from '../src/nets/stylegan2/init.js';

const OFFICIAL_MS: Record<number, number> = { 256: 510, 1024: 1580 }; // ../shared/ENGINE.md, PyTorch 1.13 CPU, 2 threads
const SIZES: Record<number, number> = { 256: 16384, 1024: 32768 };

const configFor = (res: number) => stylegan2Config(res, SIZES[res]!);

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: s[0]! };
};

async function runOne(res: number, threads: number, iters: number): Promise<void> {
  const cfg = configFor(res);
  const tensors = initialize(generatorSpecs(cfg), 0);
  const engine = createEngine({ threads });
  const G = new StyleGAN2Generator(engine, cfg, new Weights(tensors));
  const z = zFromSeed(0, 512);
  let t = performance.now();
  await G.generate(z, null, { psi: 1, noiseMode: 'const' });
  const firstMs = performance.now() - t;
  await G.generate(z, null, { psi: 1, noiseMode: 'const' });
  const libraryPeakMiB = process.resourceUsage().maxRSS / 1024; // before the exported model's session exists
  // The same generator exported to one ONNX model (z -> img) and run by a bare onnxruntime session.
  const bytes = toOnnx(G.graph(1, { psi: 1, noiseMode: 'const' })).bytes;
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const feed = { z: new ort.Tensor('float32', Float32Array.from(z), [1, 512]) };
  await session.run(feed);
  // Alternate the two so that drift of the machine affects both alike.
  const times: number[] = [];
  const onnxTimes: number[] = [];
  for (let i = 0; i < iters; i++) {
    t = performance.now();
    await G.generate(zFromSeed(i + 1, 512), null, { psi: 1, noiseMode: 'const' });
    times.push(performance.now() - t);
    t = performance.now();
    await session.run(feed);
    onnxTimes.push(performance.now() - t);
  }
  await session.release();
  await G.dispose();
  console.log(JSON.stringify({ res, threads, first: firstMs, lib: stats(times), onnx: stats(onnxTimes), peakMiB: libraryPeakMiB, onnxMiB: bytes.length / 2 ** 20 }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const iters = Number(process.env.BENCH_ITERS ?? 10);
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  if (args[0] === '--one') return runOne(Number(args[1]), threads, iters);
  console.log(`StyleGAN2 generator, batch 1, ${threads} threads, ${iters} timed runs after one warm-up (onnxruntime-node ${ort.env.versions.node})`);
  console.log('resolution  library ms/img (median, min)  exported ONNX ms/img  first call ms  library peak RSS MiB  official PyTorch ms  speed-up');
  for (const res of [256, 1024]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(res)], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`benchmark at ${res} failed: ${r.stderr}`);
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const line = [
      `${res}x${res}`.padEnd(11),
      `${o.lib.median.toFixed(0)} (${o.lib.min.toFixed(0)})`.padEnd(29),
      `${o.onnx.median.toFixed(0)} (${o.onnx.min.toFixed(0)})`.padEnd(21),
      o.first.toFixed(0).padEnd(14),
      o.peakMiB.toFixed(0).padEnd(21),
      String(OFFICIAL_MS[res]).padEnd(20),
      `${(OFFICIAL_MS[res]! / o.lib.median).toFixed(2)}x`,
    ];
    console.log(line.join(' '));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
