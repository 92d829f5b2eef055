// `stylelab dataset`: a training data set zip from a folder or zip of images, as NVIDIA's dataset_tool.py.
import { type ConvertDatasetResult, convertDataset, type DatasetTransform } from '../data/dataset-tool.js';
import { parseBackground } from '../data/decode.js';
import { InputError } from '../errors.js';
import { parseIndex } from './options.js';
import { type GlobalOptions, type Progress, progress, warn } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface DatasetArgs {
  source: string;
  dest: string;
  resolution?: string;
  transform?: string;
  skipBad?: boolean;
  max?: string;
  background?: string;
}

const TRANSFORMS: readonly DatasetTransform[] = ['center-crop', 'center-crop-wide'];

/**
 * `--resolution N` or `WxH` (dataset_tool.py's form).
 * @example parseResolution('64') // { width: 64, height: 64 }
 */
export function parseResolution(text: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*(?:x\s*(\d+))?\s*$/i.exec(text);
  if (!m) throw new InputError(`--resolution must be N or WxH (e.g. 256 or 512x384), got '${text}'`);
  const width = parseIndex(m[1]!, '--resolution');
  return { width, height: m[2] === undefined ? width : parseIndex(m[2], '--resolution') };
}

/**
 * Converts the source and returns the summary line (bad files left out with --skip-bad are warned about).
 * @example await runDataset({ source: 'photos', dest: 'photos-64.zip', resolution: '64', transform: 'center-crop' });
 */
export async function runDataset(a: DatasetArgs, g: GlobalOptions = {}): Promise<string> {
  const resolution = a.resolution === undefined ? undefined : parseResolution(a.resolution);
  if (a.transform !== undefined && !TRANSFORMS.includes(a.transform as DatasetTransform)) {
    throw new InputError(`--transform must be one of ${TRANSFORMS.join(', ')}, got '${a.transform}'`);
  }
  const maxImages = a.max === undefined ? undefined : parseIndex(a.max, '--max');
  const background = a.background === undefined ? undefined : parseBackground(a.background);
  let bar: Progress | null = null; // made once the number of images is known
  const onImage = (_done: number, total: number): void => {
    bar ??= progress(total, 'converting', { quiet: g.quiet });
    bar.tick();
  };
  let r: ConvertDatasetResult;
  try {
    r = await convertDataset({ source: a.source, dest: a.dest, resolution, transform: a.transform as DatasetTransform | undefined, skipBad: !!a.skipBad, maxImages, background, onImage });
  } finally {
    (bar as Progress | null)?.stop();
  }
  for (const b of r.bad) warn(`skipped ${b.name}: ${b.reason}`);
  for (const name of r.extraLabels) warn(`dataset.json labels ${name}, which is not an image of the source`);
  const labels = r.labelDim === null ? 'unlabelled' : `labels of size ${r.labelDim}`;
  const skipped = r.bad.length ? `, ${r.bad.length} bad image(s) skipped` : '';
  return `${a.dest}: ${r.written} images, ${r.resolution}x${r.resolution} ${r.channels === 1 ? 'grayscale' : 'RGB'}, ${labels}${skipped}`;
}
