// npm run bench:sg3: milliseconds per image and peak memory of randomly initialised StyleGAN3 generators,
// configs T (channel_base 32768, channel_max 512) and R (65536, 1024; 1x1 convs, radial filters) at 256x256
// and 1024x1024, batch 1. Each network runs in its own process so that its peak RSS is its own. Besides wall
// time it prints the process CPU time per image, which stays meaningful on a machine shared with other jobs.
// BENCH_CONFIGS=T256,R256 selects networks; BENCH_ITERS (default 3) and BENCH_THREADS (default 2); BENCH_PROFILE=<prefix>
// writes onnxruntime profiles (per-node kernel times) of the programs to <prefix>_<date>.json.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createEngine, generator3Specs, initialize3, StyleGAN3Generator, Weights, zFromSeed } from '../src/node.js';
import { stylegan3Config } from './configs.js';

const OFFICIAL_MS: Record<string, number> = { T256: 19300 }; // ../shared/ENGINE.md, PyTorch 1.13 CPU reference ops, 2 threads

const configFor = stylegan3Config;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runOne(name: string, threads: number, iters: number): Promise<void> {
  const cfg = configFor(name);
  const G = new StyleGAN3Generator(createEngine({ threads, ...(process.env.BENCH_PROFILE ? { profilePrefix: process.env.BENCH_PROFILE } : {}) }), cfg, new Weights(initialize3(generator3Specs(cfg), 0)));
  const ws = await G.mapping(zFromSeed(0, cfg.zDim), null, { psi: 0.7 });
  let t = performance.now();
  await G.synthesis(ws);
  const firstMs = performance.now() - t;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < iters; i++) {
    const c0 = process.cpuUsage();
    t = performance.now();
    await G.generate(zFromSeed(i + 1, cfg.zDim), null, { psi: 0.7 });
    wall.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  await G.dispose();
  console.log(JSON.stringify({ name, threads, first: firstMs, wall: median(wall), wallMin: Math.min(...wall), cpu: median(cpu), peakMiB }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const iters = Number(process.env.BENCH_ITERS ?? 3);
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  if (args[0] === '--one') return runOne(args[1]!, threads, iters);
  const names = (process.env.BENCH_CONFIGS ?? 'T256,R256,T1024,R1024').split(',');
  console.log(`StyleGAN3 generator (random weights), batch 1, ${threads} threads, ${iters} timed runs after one warm-up (onnxruntime-node ${ort.env.versions.node})`);
  console.log('network       ms/img (median, min)  CPU ms/img  first call ms  peak RSS MiB  official PyTorch ms  speed-up');
  for (const name of names) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--one', name], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`benchmark of ${name} failed: ${r.stderr}`);
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const official = OFFICIAL_MS[name];
    const res = name.slice(1);
    console.log([
      `${name[0]} ${res}x${res}`.padEnd(13),
      `${o.wall.toFixed(0)} (${o.wallMin.toFixed(0)})`.padEnd(21),
      o.cpu.toFixed(0).padEnd(11),
      o.first.toFixed(0).padEnd(14),
      o.peakMiB.toFixed(0).padEnd(13),
      (official ? String(official) : '-').padEnd(20),
      official ? `${(official / o.wall).toFixed(1)}x` : '-',
    ].join(' '));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
