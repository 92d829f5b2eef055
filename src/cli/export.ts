// `stylelab export`: the whole generator (mapping with its truncation, then synthesis) as one ONNX model
// z [batch, zDim] (+ c [batch, cDim]) -> img [batch, C, R, R], runnable by any ONNX Runtime.
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import { checkOutFile, parseBatch, parseClass, parseCutoff, parseNoiseMode, parseNumber } from './options.js';
import { type GlobalOptions, labelFor, withGenerator, writeOutput } from './session.js';

export interface ExportArgs {
  network: string;
  output: string;
  trunc: string;
  truncCutoff?: string;
  noiseMode: string;
  batch: string;
  class?: string;
}

/**
 * Writes the ONNX model and returns the summary line.
 * @example await runExport({ network: 'network.pkl', output: 'G.onnx', trunc: '0.7', noiseMode: 'const', batch: '1' }, {});
 */
export async function runExport(a: ExportArgs, g: GlobalOptions): Promise<string> {
  const psi = parseNumber(a.trunc, '--trunc');
  const cutoff = parseCutoff(a.truncCutoff);
  const batch = parseBatch(a.batch);
  const classIdx = parseClass(a.class);
  const noiseMode = parseNoiseMode(a.noiseMode);
  if (noiseMode === 'random') throw new InputError(`--noise-mode random cannot be exported (the model would need a noise input for every layer); use const or none`);
  checkOutFile(a.output, 'the output file');

  return withGenerator(a.network, g, async (G) => {
    const { zDim, cDim, imgChannels: C, imgResolution: R } = G;
    if (classIdx !== undefined) labelFor(G, classIdx); // refused on an unconditional network, range-checked, before building anything
    const baked = cDim > 0 ? classIdx : undefined;
    const { img } = G.graph(batch, { psi, cutoff, noiseMode, ...(baked !== undefined ? { classIdx: baked } : {}) });
    const { bytes } = E.toOnnx({ img }, 'initializers');
    writeOutput(a.output, bytes);
    const inputs = [`z [${batch}, ${zDim}]`, ...(cDim > 0 && baked === undefined ? [`c [${batch}, ${cDim}]`] : [])];
    return `wrote ${a.output}: ${inputs.join(', ')} -> img [${batch}, ${C}, ${R}, ${R}] (${(bytes.length / 2 ** 20).toFixed(1)} MiB)`;
  });
}
