// `stylelab metrics --metric swd`: the sliced Wasserstein distance of the progressive-growing paper between a
// network's images (seeds 0..N-1, psi 1) and N images of a data set, printed as its SWDx1e3_<res> names.
import { openDataset } from '../data/dataset.js';
import { InputError } from '../errors.js';
import { sampleReals, swdOfGenerator } from '../metrics/swd-metric.js';
import { parseIndex } from './options.js';
import { type GlobalOptions, withGenerator, withProgress } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface MetricsArgs {
  metric: string;
  network: string;
  data: string;
  num?: string;
  seed: string;
  json?: boolean;
}

/** Default number of images per set (fewer when the data set is smaller). */
export const DEFAULT_SWD_IMAGES = 1000;

/**
 * Computes the metric and returns what to print (a table, or JSON with --json).
 * @example await runMetrics({ metric: 'swd', network: 'snap', data: 'data.zip', num: '256', seed: '0' }, {});
 */
export async function runMetrics(a: MetricsArgs, g: GlobalOptions): Promise<string> {
  if (a.metric !== 'swd') throw new InputError(`--metric must be swd (the only metric that needs no downloaded network), got '${a.metric}'`);
  const num = a.num === undefined ? undefined : parseIndex(a.num, '--num');
  if (num === 0) throw new InputError('--num must be at least 1');
  const seed = parseIndex(a.seed, '--seed');
  return withGenerator(a.network, g, async (G) => {
    const ds = await openDataset(a.data, { useLabels: G.cDim > 0, resolution: G.imgResolution });
    let reals;
    try {
      reals = await sampleReals(ds, num ?? Math.min(DEFAULT_SWD_IMAGES, ds.size), seed);
    } finally {
      await ds.close();
    }
    const swd = await withProgress(reals.count, 'generating', (p) => swdOfGenerator(G, reals, seed, () => p.tick()), { quiet: g.quiet });
    if (a.json) return JSON.stringify({ metric: 'swd', images: reals.count, levels: swd.levels, mean: swd.mean });
    const rows = swd.levels.map((l) => `SWDx1e3_${l.resolution}`.padEnd(14) + l.swd.toFixed(4));
    return [...rows, `${'SWDx1e3_avg'.padEnd(14)}${swd.mean.toFixed(4)}`, `(${reals.count} real and ${reals.count} generated images)`].join('\n');
  });
}
