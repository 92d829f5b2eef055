// node dist/bench/video.js: frames per second of `stylelab video` rendering (spline in W, synthesis, grid
// layout; no encoding) against the frame batch, i.e. how many frames go through the synthesis program per
// call. Randomly initialised StyleGAN2 generators (32x32 from the tiny fixture's config, and 128x128).
import { createEngine, InterpVideo, loadCheckpoint, openGenerator, StyleGAN2Generator, validateGeneratorConfig, Weights, type Generator, type GeneratorConfig } from '../src/node.js';
import { generatorSpecs, initialize } from '../src/nets/stylegan2/init.js';
import { fixture } from '../tests/fixtures.js';

function config128(): GeneratorConfig {
  const res = 128;
  const synthesis = { wDim: 512, imgResolution: res, imgChannels: 3, channelBase: 8192, channelMax: 512, numFp16Res: 4, architecture: 'skip' as const, resampleFilter: [1, 3, 3, 1], convClamp: 256, useNoise: true, activation: 'lrelu' as const };
  const mapping = { zDim: 512, cDim: 0, wDim: 512, numWs: 12, numLayers: 8, embedFeatures: null, layerFeatures: null, activation: 'lrelu' as const, lrMultiplier: 0.01, wAvgBeta: 0.998 };
  return validateGeneratorConfig({ zDim: 512, cDim: 0, wDim: 512, imgResolution: res, imgChannels: 3, mapping, synthesis });
}

/** Milliseconds per frame over `frames` frames after a warm-up batch (which compiles the program). */
async function msPerFrame(G: Generator, batch: number, frames: number): Promise<number> {
  const video = await InterpVideo.create(G, { seeds: [0, 1, 2, 3], wFrames: Math.ceil((frames + batch) / 4) + 1 });
  for await (const _ of video.frames({ batch, end: batch })); // warm-up: compile the synthesis program
  const t = performance.now();
  for await (const _ of video.frames({ batch, start: batch, end: batch + frames }));
  return (performance.now() - t) / frames;
}

async function main(): Promise<void> {
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const engine = createEngine({ threads });
  const nets: [string, Generator, number][] = [
    ['32x32 (stylegan2-tiny)', openGenerator(engine, loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl'))), 256],
    ['128x128 (channel_base 8192)', new StyleGAN2Generator(engine, config128(), new Weights(initialize(generatorSpecs(config128()), 0))), 32],
  ];
  console.log(`stylelab video rendering, 1x1 grid, ${threads} threads: ms per frame by frame batch`);
  for (const [name, G, frames] of nets) {
    const cells: string[] = [];
    for (const batch of [1, 2, 4, 8, 16]) cells.push(`batch ${batch}: ${(await msPerFrame(G, batch, frames)).toFixed(2)}`);
    console.log(`${name.padEnd(28)} ${cells.join('  ')}`);
    await G.dispose();
  }
  await engine.dispose();
}

await main();
