// What the web app asks of a backend (the in-page Web Worker or the server) and what it gets back: the same
// plain-data requests and results for both, so one page drives either. Platform-neutral; images are uint8 HWC.
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { DRAG_DEFAULTS as SESSION_DEFAULTS } from '../drag/defaults.js';
import type { Point } from '../drag/session.js';

/** An 8-bit image: pixels row-major with interleaved channels (HWC), 1 (gray) or 3 (RGB) channels. */
export interface Picture {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Limits every backend enforces (the server's schemas use the same numbers). */
export const LIMITS = {
  /** Largest seed (numpy's RandomState takes 32-bit seeds). */
  maxSeed: 0xffffffff,
  /** Truncation psi range offered (the official visualizers go to +-2 or less). */
  psi: [-2, 2] as const,
  /** Handle/target pairs in one drag. */
  maxPoints: 16,
  /** Seeds of a style-mixing axis, of a video. */
  maxMixSeeds: 16,
  maxVideoSeeds: 64,
  /** Video grid cells and frames per keyframe. */
  maxVideoCells: 16,
  maxWFrames: 600,
  /** Frames handed over per video call. */
  maxFrameBatch: 16,
  /** Translate input side in pixels (it is resized to the model size). */
  maxImageSide: 4096,
  /** StyleGAN3 input translation (in input units) and rotation (degrees). */
  maxTranslate: 10,
  maxRotate: 360,
} as const;

/** A model the app can open. */
export interface ModelInfo {
  /** Registry id (server models) or 'file:<name>' (a checkpoint opened in the page). */
  id: string;
  /** Shown name, e.g. 'stylegan2-emoji32' or 'draggan-tiny/network.pkl'. */
  name: string;
  source: 'bundled' | 'cli' | 'file';
  kind: 'generator' | 'ugatit';
  /** 'stylegan1' | 'stylegan2' | 'stylegan3' | 'ugatit'. */
  arch: string;
  resolution: number;
  channels: number;
  /** Generators only (0 for U-GAT-IT). */
  zDim: number;
  wDim: number;
  numWs: number;
  cDim: number;
  /** U-GAT-IT only: the directions the checkpoint can translate. */
  directions?: ('A2B' | 'B2A')[];
}

export interface GenerateRequest {
  model: string;
  seed: number;
  psi: number;
  /** Truncate only the first n ws (null: all). */
  cutoff: number | null;
  /** Class of a conditional network (null: unconditional). */
  classIdx: number | null;
  noiseMode: NoiseMode;
  /** StyleGAN3 only: the input translation [x, y] and rotation in degrees, as gen_images.py --translate/--rotate. */
  translate?: [number, number];
  rotate?: number;
}

export interface ImageResult {
  image: Picture;
  /** Time the backend spent, in milliseconds. */
  ms: number;
}

export interface StyleMixRequest {
  model: string;
  /** The row seed's ws give every layer except `styles`, which come from the column seed. Equal seeds: the seed alone. */
  row: number;
  col: number;
  styles: number[];
  psi: number;
  noiseMode: NoiseMode;
  classIdx: number | null;
}

/** Where a drag starts: a seed (mapped with psi) or a latent ws [numWs * wDim] (from a file or a style-mix cell). */
export type DragOpenRequest = { model: string; settings: DragSettings } & ({ seed: number; psi: number } | { latent: Float32Array });

/** DragGAN's settings (defaults: DRAG_DEFAULTS). */
export interface DragSettings {
  wSpace: 'w' | 'w+';
  lr: number;
  /** Weight of the fixed-region term. */
  lambdaMask: number;
  /** Motion supervision and tracking radii, in pixels of a 512 image (r1 null: the session's default). */
  r1: number | null;
  r2: number;
}

/**
 * The official visualizer's defaults (drag/defaults.ts): r1 null lets the session widen the motion radius to one
 * pixel where 3 rounds to none (networks below 171x171).
 */
export const DRAG_DEFAULTS: DragSettings = { wSpace: SESSION_DEFAULTS.wSpace, lr: SESSION_DEFAULTS.lr, lambdaMask: SESSION_DEFAULTS.lambdaMask, r1: null, r2: SESSION_DEFAULTS.r2 };
/** The official mask brush radius, in pixels of a 512 image (drag_widget.py r_mask). */
export const MASK_RADIUS_512 = 50;

/** One edit of a drag session; each is one undo step (a finished run is one too). */
export type DragEdit =
  | { op: 'points'; handles: Point[]; targets: Point[] }
  | { op: 'mask'; mask: Uint8Array | null }
  | { op: 'reset' }
  | { op: 'undo' }
  | { op: 'redo' }
  | { op: 'settings'; settings: DragSettings };

/** The state of a drag session after an edit or a step. */
export interface DragState {
  steps: number;
  handles: Point[];
  targets: Point[];
  /** [R * R], 1 = fixed, 0 = flexible (the renderer's convention); null: no mask. */
  mask: Uint8Array | null;
  canUndo: boolean;
  canRedo: boolean;
  settings: DragSettings;
  /** The current image. */
  image: Picture;
  /** Distance of each handle to its target in pixels. */
  distances: number[];
  ms: number;
}

/** What one drag step did. */
export interface DragStepResult {
  step: number;
  image: Picture;
  points: Point[];
  distances: number[];
  /** Every handle is within reach of its target: the latent was not updated (the renderer's stop). */
  stopped: boolean;
  ms: number;
  canUndo: boolean;
  canRedo: boolean;
}

export interface TranslateRequest {
  model: string;
  direction: 'A2B' | 'B2A';
  /** RGB, any size: resized to the model size with PIL's bilinear filter as UGATIT.py's test phase. */
  image: Picture;
}

export interface TranslateResult {
  input: Picture;
  output: Picture;
  /** utils.cam's heatmap of the generator's CAM, over the input. */
  cam: Picture;
  ms: number;
}

export interface VideoRequest {
  model: string;
  seeds: number[];
  gridW: number;
  gridH: number;
  /** Frames per keyframe (gen_video.py --w-frames). */
  wFrames: number;
  psi: number;
  classIdx: number | null;
}

export interface VideoInfo {
  numFrames: number;
  width: number;
  height: number;
  channels: number;
}

/** Everything a backend does; the worker and the server implement it alike. */
export interface StudioApi {
  models(): Promise<ModelInfo[]>;
  generate(r: GenerateRequest): Promise<ImageResult>;
  styleMix(r: StyleMixRequest): Promise<ImageResult>;
  /** The ws of a style-mixing cell [numWs * wDim] (to open it in Drag). */
  mixLatent(r: StyleMixRequest): Promise<Float32Array>;
  dragOpen(r: DragOpenRequest): Promise<DragState>;
  dragEdit(e: DragEdit): Promise<DragState>;
  dragStep(): Promise<DragStepResult>;
  /** Marks the end of a run (Stop, or the points reached their targets): the run becomes one undo step. */
  dragEndRun(): Promise<DragState>;
  /** The current latent ws [numWs * wDim]. */
  dragLatent(): Promise<{ latent: Float32Array; numWs: number; wDim: number }>;
  translate(r: TranslateRequest): Promise<TranslateResult>;
  videoOpen(r: VideoRequest): Promise<VideoInfo>;
  videoFrames(start: number, count: number): Promise<Picture[]>;
}
