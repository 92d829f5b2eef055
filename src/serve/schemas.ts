// The JSON bodies `stylelab serve` accepts, as zod schemas: strict objects (unknown fields are errors), typed and
// bounded numbers, model ids (never paths). Binary data travels as base64 (images and masks as uint8 bytes, latents
// as little-endian float32). `parseBody` turns the first problem into one message for the page.
import { z } from 'zod';
import { InputError } from '../errors.js';
import { LIMITS } from '../studio/protocol.js';
import { MODEL_ID } from './registry.js';

/** Largest JSON body (bytes): a 4096x4096 RGB image would not fit, a 2048x2048 one does. */
export const MAX_JSON_BODY = 16 * 1024 * 1024;

const modelId = z.string().regex(MODEL_ID, 'expected a model id such as stylegan2-emoji32 (lowercase letters, digits, dashes), not a path or a name');
const seed = z.number().int().min(0).max(LIMITS.maxSeed);
const psi = z.number().min(LIMITS.psi[0]).max(LIMITS.psi[1]);
const noiseMode = z.enum(['const', 'random', 'none']);
const classIdx = z.number().int().min(0).max(1_000_000).nullable();
const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64 data');
/** A pixel [row, col]; whether it lies inside the image is checked against the model. */
const point = z.tuple([z.number().int().min(0).max(LIMITS.maxImageSide - 1), z.number().int().min(0).max(LIMITS.maxImageSide - 1)]);
const points = z.array(point).max(LIMITS.maxPoints);

export const GenerateBody = z.strictObject({
  model: modelId,
  seed,
  psi,
  cutoff: z.number().int().min(1).max(64).nullable(),
  classIdx,
  noiseMode,
  translate: z.tuple([z.number().min(-LIMITS.maxTranslate).max(LIMITS.maxTranslate), z.number().min(-LIMITS.maxTranslate).max(LIMITS.maxTranslate)]).optional(),
  rotate: z.number().min(-LIMITS.maxRotate).max(LIMITS.maxRotate).optional(),
});

export const StyleMixBody = z.strictObject({
  model: modelId,
  row: seed,
  col: seed,
  styles: z.array(z.number().int().min(0).max(63)).max(64),
  psi,
  noiseMode,
  classIdx,
});

export const DragSettingsBody = z.strictObject({
  wSpace: z.enum(['w', 'w+']),
  lr: z.number().gt(0).max(1),
  lambdaMask: z.number().min(0).max(1000),
  r1: z.number().gt(0).max(512).nullable(),
  r2: z.number().gt(0).max(512),
});

export const DragOpenBody = z.union([
  z.strictObject({ model: modelId, settings: DragSettingsBody, seed, psi }),
  z.strictObject({ model: modelId, settings: DragSettingsBody, latent: base64(64 * 512 * 4) }),
]);

export const DragEditBody = z.discriminatedUnion('op', [
  z
    .strictObject({ op: z.literal('points'), handles: points, targets: points })
    .refine((e) => e.handles.length === e.targets.length, { message: 'expected one target per handle point', path: ['targets'] }),
  z.strictObject({ op: z.literal('mask'), mask: base64(LIMITS.maxImageSide * LIMITS.maxImageSide).nullable() }),
  z.strictObject({ op: z.literal('reset') }),
  z.strictObject({ op: z.literal('undo') }),
  z.strictObject({ op: z.literal('redo') }),
  z.strictObject({ op: z.literal('settings'), settings: DragSettingsBody }),
]);

export const EmptyBody = z.strictObject({});

const picture = z.strictObject({
  width: z.number().int().min(1).max(LIMITS.maxImageSide),
  height: z.number().int().min(1).max(LIMITS.maxImageSide),
  channels: z.literal(3),
  data: base64(MAX_JSON_BODY),
});

export const TranslateBody = z.strictObject({ model: modelId, direction: z.enum(['A2B', 'B2A']), image: picture });

export const VideoBody = z
  .strictObject({
    model: modelId,
    seeds: z.array(seed).min(1).max(LIMITS.maxVideoSeeds),
    gridW: z.number().int().min(1).max(LIMITS.maxVideoCells),
    gridH: z.number().int().min(1).max(LIMITS.maxVideoCells),
    wFrames: z.number().int().min(1).max(LIMITS.maxWFrames),
    psi,
    classIdx,
  })
  .refine((v) => v.gridW * v.gridH <= LIMITS.maxVideoCells, { message: `at most ${LIMITS.maxVideoCells} grid cells`, path: ['gridW'] });

export const VideoFramesBody = z.strictObject({ start: z.number().int().min(0).max(1_000_000), count: z.number().int().min(1).max(LIMITS.maxFrameBatch) });

export const Mp4Body = z.strictObject({ fps: z.number().gt(0).max(120) });

/**
 * Validates a parsed JSON body; the first problem becomes an InputError ("seed: Too big: expected number to be <=4294967295").
 * @example const r = parseBody(GenerateBody, JSON.parse(text));
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new InputError(path ? `${path}: ${issue.message}` : issue.message);
}
