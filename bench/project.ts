// npm run bench:project: milliseconds per projection step (synthesis, distance, noise regulariser, gradients with
// respect to w and the noise buffers, Adam, renormalisation) of a randomly initialised StyleGAN2 generator at
// 256x256 (channel_base 16384), with LPIPS-VGG (random VGG16 weights of the real shapes) and with MSE, 2 threads.
// Each step is interleaved with a plain synthesis of the same w, so machine load affects both alike; CPU time
// per step is printed too (meaningful on a shared machine). The official figure is an estimate from measured
// parts (PyTorch 1.13 CPU, 2 threads; bench/project_torch.py times the LPIPS part on this machine): the official
// DragGAN step of ../shared/ENGINE.md (synthesis forward and
// backward, 256x256 channel_base 16384) ~1000 ms, plus VGG16 at 256x256 (~20 GMAC forward and as much again for
// the input gradient: ~80 GFLOP at the ~129 GFLOPS PyTorch reached on such convolutions) ~620 ms: ~1600 ms. BENCH_STEPS (default 5), BENCH_RES (256).
import { createEngine, StyleGAN2Generator, validateGeneratorConfig, Weights, zFromSeed, type GeneratorConfig, type TensorData } from '../src/node.js';
import { Lpips } from '../src/metrics/lpips.js';
import { VGG16_CHANNELS, VGG16_STAGES } from '../src/metrics/nets/vgg16.js';
import { generatorSpecs, initialize } from '../src/nets/stylegan2/init.js';
import { lpipsDistance, mseDistance } from '../src/project/distance.js';
import { Projector } from '../src/project/projector.js';
import { RandomState } from '../src/random/numpy-random.js';
import { fastNormals } from '../src/random/normal.js';

const OFFICIAL_ESTIMATE_MS = 1600;

function configFor(res: number): GeneratorConfig {
  const synthesis = { wDim: 512, imgResolution: res, imgChannels: 3, channelBase: 16384, channelMax: 512, numFp16Res: 4, architecture: 'skip' as const, resampleFilter: [1, 3, 3, 1], convClamp: 256, useNoise: true, activation: 'lrelu' as const };
  let numWs = 0;
  for (let r = 4; r <= res; r *= 2) numWs += r === 4 ? 1 : 2;
  const mapping = { zDim: 512, cDim: 0, wDim: 512, numWs: numWs + 1, numLayers: 8, embedFeatures: null, layerFeatures: null, activation: 'lrelu' as const, lrMultiplier: 0.01, wAvgBeta: 0.998 };
  return validateGeneratorConfig({ zDim: 512, cDim: 0, wDim: 512, imgResolution: res, imgChannels: 3, mapping, synthesis });
}

/** Random VGG16 features (He-scaled) and positive LPIPS linear weights, in torchvision's and PerceptualSimilarity's names. */
function randomLpips(): Lpips {
  const rs = new RandomState(1);
  const t = (shape: number[], scale: number): TensorData => ({ dtype: 'float32', shape, data: fastNormals(rs, shape.reduce((a, b) => a * b, 1)).map((v) => v * scale) });
  const features = new Map<string, TensorData>();
  let cin = 3;
  VGG16_STAGES.forEach((stage, s) => {
    for (const i of stage) {
      const cout = VGG16_CHANNELS[s]!;
      features.set(`features.${i}.weight`, t([cout, cin, 3, 3], Math.sqrt(2 / (cin * 9))));
      features.set(`features.${i}.bias`, t([cout], 0));
      cin = cout;
    }
  });
  const lin = new Map<string, TensorData>(VGG16_CHANNELS.map((c, k) => [`lin${k}.model.1.weight`, { dtype: 'float32', shape: [1, c, 1, 1], data: new Float32Array(c).fill(1 / c) }]));
  return new Lpips(features, lin);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(res: number, loss: 'lpips' | 'mse', steps: number): Promise<void> {
  const cfg = configFor(res);
  const engine = createEngine({ threads: 2 });
  const G = new StyleGAN2Generator(engine, cfg, new Weights(initialize(generatorSpecs(cfg), 0)));
  const target = await G.generate(zFromSeed(1, 512), null, { psi: 0.7 });
  let t = performance.now();
  const distance = loss === 'lpips' ? lpipsDistance(engine, randomLpips()) : mseDistance();
  const p = await Projector.create(G, target, distance, { numSteps: steps + 1 });
  await p.step(); // the first run of the step program
  const setupMs = performance.now() - t;
  const ws = p.latent();
  await G.synthesis(ws);
  const wall: number[] = [];
  const cpu: number[] = [];
  const synth: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    t = performance.now();
    await p.step();
    wall.push(performance.now() - t);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    t = performance.now();
    await G.synthesis(ws);
    synth.push(performance.now() - t);
  }
  await p.dispose();
  await G.dispose();
  await engine.dispose();
  const m = median(wall);
  console.log(
    `${res}x${res} (channel_base 16384), ${loss}: ${m.toFixed(0)} ms/step median (min ${Math.min(...wall).toFixed(0)}, CPU ${median(cpu).toFixed(0)} ms, ${steps} steps; ` +
      `setup with w stats, compile and first step ${setupMs.toFixed(0)} ms); synthesis alone ${median(synth).toFixed(0)} ms` +
      (loss === 'lpips' ? `; official projector ~${OFFICIAL_ESTIMATE_MS} ms (estimate): x${(OFFICIAL_ESTIMATE_MS / m).toFixed(2)}` : ''),
  );
}

const steps = Number(process.env.BENCH_STEPS ?? 5);
const res = Number(process.env.BENCH_RES ?? 256);
for (const loss of ['lpips', 'mse'] as const) await bench(res, loss, steps);
