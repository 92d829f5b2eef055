// npm run bench:drag: milliseconds per DragGAN step (render, track, motion supervision, gradient, Adam) of
// randomly initialised StyleGAN2 generators at 256x256 (channel_base 16384) and 512x512 (channel_base 32768),
// one point, no mask, 2 threads; against the official renderer's ~1000 ms and ~3450 ms (../shared/ENGINE.md).
import { createEngine, Weights, StyleGAN2Generator } from '../src/node.js';
import { stylegan2Config } from './configs.js';
import { DragSession } from '../src/drag/session.js';
import { generatorSpecs, initialize } from '../src/nets/stylegan2/init.js';

const OFFICIAL_MS: Record<number, number> = { 256: 1000, 512: 3450 };
const CHANNEL_BASE: Record<number, number> = { 256: 16384, 512: 32768 };

const configFor = (res: number) => stylegan2Config(res, CHANNEL_BASE[res]!);

async function bench(res: number, steps: number): Promise<void> {
  const cfg = configFor(res);
  const engine = createEngine({ threads: 2 });
  const G = new StyleGAN2Generator(engine, cfg, new Weights(initialize(generatorSpecs(cfg), 0)));
  const s = await DragSession.create(G, { seed: 0 });
  const c = Math.round(res / 2);
  s.setPoints([[c, c]], [[c, c + Math.round(res / 4)]]);
  let t = performance.now();
  await s.step(); // compiles the step program
  const firstMs = performance.now() - t;
  // Interleaved with plain synthesis of the same latent, so machine load affects both alike.
  const ws = s.latent();
  await G.synthesis(ws);
  const times: number[] = [];
  const cpu: number[] = [];
  const synth: number[] = [];
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    const c0 = process.cpuUsage();
    await s.step();
    times.push(performance.now() - t);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    t = performance.now();
    await G.synthesis(ws);
    synth.push(performance.now() - t);
  }
  await s.dispose();
  await G.dispose();
  await engine.dispose();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const median = med(times);
  console.log(
    `${res}x${res} (channel_base ${CHANNEL_BASE[res]}): ${median.toFixed(0)} ms/step median (min ${Math.min(...times).toFixed(0)}, CPU ${med(cpu).toFixed(0)} ms, ${steps} steps; ` +
      `first step with compile ${firstMs.toFixed(0)} ms); synthesis alone ${med(synth).toFixed(0)} ms (step/synthesis x${(median / med(synth)).toFixed(2)}); ` +
      `official renderer ~${OFFICIAL_MS[res]} ms: x${(OFFICIAL_MS[res]! / median).toFixed(2)} faster`,
  );
}

const steps = Number(process.env.DRAG_BENCH_STEPS ?? 5);
for (const res of (process.argv[2] ?? '256,512').split(',').map(Number)) await bench(res, steps);
