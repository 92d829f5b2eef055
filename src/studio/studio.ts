// The web app's work on the networks, written once for both backends: the Web Worker (onnxruntime-web) and the
// server (onnxruntime-node) each hold a Studio per page and pass it plain requests. Platform-neutral.
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import { styleMixWs } from '../models/generate.js';
import { truncateWs } from '../nets/truncation.js';
import { isStyleGAN3 } from '../models/open.js';
import { oneHot } from '../models/stylegan2.js';
import { camImage, resizeBilinearPil, toModelInput, toOutputImage } from '../models/ugatit-pipeline.js';
import type { UgatitModel } from '../models/ugatit.js';
import { InterpVideo } from '../models/video.js';
import { inputTransform } from '../nets/stylegan3/transform.js';
import { zFromSeed } from '../random/numpy-random.js';
import { DragEditor, pictureOf } from './drag-editor.js';
import {
  type DragEdit, type DragOpenRequest, type DragState, type DragStepResult, type GenerateRequest, type ImageResult, LIMITS, type ModelInfo,
  type Picture, type StudioApi, type StyleMixRequest, type TranslateRequest, type TranslateResult, type VideoInfo, type VideoRequest,
} from './protocol.js';

/** An opened model: a StyleGAN-family generator or a U-GAT-IT checkpoint. */
export type OpenModel = { kind: 'generator'; G: Generator } | { kind: 'ugatit'; model: UgatitModel };

/** Where a Studio gets its models (opened once and shared; the provider owns and releases them). */
export interface ModelProvider {
  list(): Promise<ModelInfo[]>;
  open(id: string): Promise<OpenModel>;
}

/** The facts the page needs of a generator. */
export function generatorInfo(G: Generator, base: Pick<ModelInfo, 'id' | 'name' | 'source'>): ModelInfo {
  return { ...base, kind: 'generator', arch: G.arch, resolution: G.imgResolution, channels: G.imgChannels, zDim: G.zDim, wDim: G.wDim, numWs: G.numWs, cDim: G.cDim };
}

/** The facts the page needs of a U-GAT-IT checkpoint. */
export function ugatitInfo(m: UgatitModel, base: Pick<ModelInfo, 'id' | 'name' | 'source'>): ModelInfo {
  const directions = (['A2B', 'B2A'] as const).filter((d) => m.has(d === 'A2B' ? 'genA2B' : 'genB2A'));
  return { ...base, kind: 'ugatit', arch: 'ugatit', resolution: m.config.imgSize, channels: 3, zDim: 0, wDim: 0, numWs: 0, cDim: 0, directions: [...directions] };
}

/** Seeds as numpy's RandomState takes them. */
function checkSeed(seed: number, what = 'seed'): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > LIMITS.maxSeed) throw new InputError(`${what} must be an integer between 0 and 2**32 - 1, got ${seed}`);
  return seed;
}

const elapsed = (t0: number): number => performance.now() - t0;

/** Mapped and truncated ws kept for style mixing (rows and columns reuse them). */
const MIX_CACHE = 64;

/**
 * One page's work: generation, style mixing, one drag session, translation and one video at a time.
 * @example const studio = new Studio(provider); const { image } = await studio.generate({ model: 'stylegan2-emoji32', seed: 0, psi: 1, ... });
 */
export class Studio implements StudioApi {
  private drag: DragEditor | null = null;
  private video: { model: string; video: InterpVideo } | null = null;
  private readonly mixWs = new Map<string, Float32Array>();

  constructor(private readonly provider: ModelProvider) {}

  models(): Promise<ModelInfo[]> {
    return this.provider.list();
  }

  private async generator(id: string): Promise<Generator> {
    const m = await this.provider.open(id);
    if (m.kind !== 'generator') throw new InputError(`model '${id}' is a U-GAT-IT translator, not an image generator`);
    return m.G;
  }

  async generate(r: GenerateRequest): Promise<ImageResult> {
    const t0 = performance.now();
    const G = await this.generator(r.model);
    checkSeed(r.seed);
    const moved = (r.translate !== undefined && (r.translate[0] !== 0 || r.translate[1] !== 0)) || (r.rotate !== undefined && r.rotate !== 0);
    if (moved && !isStyleGAN3(G)) throw new InputError(`translate and rotate need a StyleGAN3 network; this one is ${G.arch}`);
    const transform = isStyleGAN3(G) ? inputTransform(r.translate ?? [0, 0], r.rotate ?? 0) : undefined;
    const ws = await G.mapping(zFromSeed(r.seed, G.zDim), oneHot(G.cDim, r.classIdx), { psi: r.psi, cutoff: r.cutoff }); // [1, numWs, wDim]
    // As gen_images.py (and `stylelab generate`): random noise is seeded with the image's seed.
    const img = await G.synthesis(ws, { noiseMode: r.noiseMode, noiseSeed: r.seed, transform }); // [1, C, R, R]
    return { image: pictureOf(img, G), ms: elapsed(t0) };
  }

  /** style_mixing.py's ws of a seed: mapped without truncation, then truncated towards w_avg. */
  private async mixedW(G: Generator, r: StyleMixRequest, seed: number): Promise<Float32Array> {
    const key = `${r.model}:${seed}:${r.psi}:${r.classIdx}`;
    let ws = this.mixWs.get(key);
    if (!ws) {
      ws = truncateWs(await G.mapping(zFromSeed(checkSeed(seed), G.zDim), oneHot(G.cDim, r.classIdx)), G.wAvg(), r.psi);
      if (this.mixWs.size >= MIX_CACHE) this.mixWs.delete(this.mixWs.keys().next().value!);
      this.mixWs.set(key, ws);
    }
    return ws;
  }

  /** The ws of one style-mixing cell (the row seed's, with `styles` from the column seed). */
  async styleMixWs(r: StyleMixRequest): Promise<{ G: Generator; ws: Float32Array }> {
    const G = await this.generator(r.model);
    const row = await this.mixedW(G, r, r.row);
    const ws = r.row === r.col ? row : styleMixWs(row, await this.mixedW(G, r, r.col), r.styles, G.numWs, G.wDim);
    return { G, ws };
  }

  async styleMix(r: StyleMixRequest): Promise<ImageResult> {
    const t0 = performance.now();
    const { G, ws } = await this.styleMixWs(r);
    // style_mixing.py seeds nothing for noise; stylelab's CLI seeds random noise with the row seed.
    const img = await G.synthesis(ws, { noiseMode: r.noiseMode, noiseSeed: r.row });
    return { image: pictureOf(img, G), ms: elapsed(t0) };
  }

  async mixLatent(r: StyleMixRequest): Promise<Float32Array> {
    return Float32Array.from((await this.styleMixWs(r)).ws);
  }

  async dragOpen(r: DragOpenRequest): Promise<DragState> {
    const G = await this.generator(r.model);
    if ('seed' in r) checkSeed(r.seed);
    const next = await DragEditor.open(G, 'seed' in r ? { seed: r.seed, psi: r.psi } : { latent: r.latent }, r.settings);
    await this.closeDrag();
    this.drag = next;
    return next.state();
  }

  private get editor(): DragEditor {
    if (!this.drag) throw new InputError('no drag session is open: open a model in the Drag page first');
    return this.drag;
  }

  dragEdit(e: DragEdit): Promise<DragState> {
    return this.editor.edit(e);
  }

  dragStep(): Promise<DragStepResult> {
    return this.editor.step();
  }

  dragEndRun(): Promise<DragState> {
    this.editor.closeRun();
    return this.editor.state();
  }

  async dragLatent(): Promise<{ latent: Float32Array; numWs: number; wDim: number }> {
    const ed = this.editor;
    return { latent: ed.latent(), numWs: ed.G.numWs, wDim: ed.G.wDim };
  }

  async translate(r: TranslateRequest): Promise<TranslateResult> {
    const t0 = performance.now();
    const m = await this.provider.open(r.model);
    if (m.kind !== 'ugatit') throw new InputError(`model '${r.model}' is an image generator, not a U-GAT-IT translator`);
    const net = r.direction === 'A2B' ? 'genA2B' : 'genB2A';
    if (!m.model.has(net)) throw new InputError(`the checkpoint holds no ${net}, so it cannot translate ${r.direction}`);
    checkPicture(r.image);
    const size = m.model.config.imgSize;
    const input = resizeBilinearPil(r.image, size, size);
    const { out, heatmap } = await m.model.translate(r.direction, toModelInput(input), 1);
    const output = toOutputImage(out.data, size, size);
    const cam = camImage(heatmap.data, heatmap.shape[3]!, heatmap.shape[2]!, size);
    return { input, output, cam, ms: elapsed(t0) };
  }

  async videoOpen(r: VideoRequest): Promise<VideoInfo> {
    const G = await this.generator(r.model);
    r.seeds.forEach((s) => checkSeed(s));
    const c = G.cDim > 0 ? oneHot(G.cDim, r.classIdx) : null;
    const video = await InterpVideo.create(G, { seeds: r.seeds, gridW: r.gridW, gridH: r.gridH, wFrames: r.wFrames, psi: r.psi, c });
    this.video = { model: r.model, video };
    return { numFrames: video.numFrames, width: video.width, height: video.height, channels: video.channels };
  }

  /** The open video's size and length, or null. */
  async videoInfo(): Promise<VideoInfo | null> {
    const v = this.video?.video;
    return v ? { numFrames: v.numFrames, width: v.width, height: v.height, channels: v.channels } : null;
  }

  async videoFrames(start: number, count: number): Promise<Picture[]> {
    if (!this.video) throw new InputError('no video is open: start one in the Video page');
    const { video } = this.video;
    if (!Number.isInteger(count) || count < 1 || count > LIMITS.maxFrameBatch) throw new InputError(`frames per call must be 1-${LIMITS.maxFrameBatch}, got ${count}`);
    const end = Math.min(start + count, video.numFrames);
    const out: Picture[] = [];
    for await (const data of video.frames({ start, end, batch: end - start })) out.push({ width: video.width, height: video.height, channels: video.channels, data });
    return out;
  }

  private async closeDrag(): Promise<void> {
    const d = this.drag;
    this.drag = null;
    await d?.dispose();
  }

  /** Compiled programs this page holds of its own (the drag session's; generators belong to the provider). */
  get sessions(): number {
    return this.drag?.sessions ?? 0;
  }

  /** Releases the drag session and the video (the provider's models stay open). */
  async dispose(): Promise<void> {
    this.video = null;
    this.mixWs.clear();
    await this.closeDrag();
  }
}

/** A Picture's size and values are consistent. */
export function checkPicture(p: Picture, channels = 3): void {
  if (p.channels !== channels) throw new InputError(`expected an image with ${channels} channels, got ${p.channels}`);
  for (const [v, what] of [[p.width, 'width'], [p.height, 'height']] as const) {
    if (!Number.isInteger(v) || v < 1 || v > LIMITS.maxImageSide) throw new InputError(`image ${what} must be 1-${LIMITS.maxImageSide} pixels, got ${v}`);
  }
  if (p.data.length !== p.width * p.height * p.channels) throw new InputError(`a ${p.width}x${p.height} image with ${p.channels} channels has ${p.width * p.height * p.channels} values, got ${p.data.length}`);
}
