// The `stylelab` command tree (commander). Commander checks the command structure (unknown options,
// missing arguments); the values themselves are checked by the commands, before any work starts.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runConvert } from './convert.js';
import { runExport } from './export.js';
import { runGenerate } from './generate.js';
import { runInfo } from './info.js';
import { parseThreads } from './options.js';
import type { GlobalOptions } from './session.js';
import { runStyleMix } from './style-mix.js';
import { runTranslate } from './translate.js';
import { runTrainUgatit, TRAIN_UGATIT_DEFAULTS as UD } from './train-ugatit.js';

/** The package version (dist/src/cli -> package root). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch (e) {
    return `unknown (${(e as Error).message})`;
  }
}

/** The program's own options, valid before or after the command name. */
function globals(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ threads?: string; verbose?: boolean }>();
  return { threads: parseThreads(o.threads), verbose: !!o.verbose };
}

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

const NOISE_HELP = 'noise inputs: const (stored noise), random or none';
const TRUNC_HELP = 'truncation psi';

/**
 * Builds the command tree. Errors of commander itself are shown by `onUsageError` and thrown (exitOverride).
 * @example await buildProgram((msg) => process.stderr.write(msg)).parseAsync(process.argv);
 */
export function buildProgram(onUsageError: (message: string) => void): Command {
  const program = new Command('stylelab')
    .description('StyleGAN2 networks on ONNX Runtime: NVIDIA checkpoints, seed-for-seed identical images')
    .version(version(), '-V, --version')
    .option('--threads <n>', 'ONNX Runtime threads (0: one per core)')
    .option('--verbose', 'print the stack trace of errors')
    .exitOverride()
    .configureOutput({ outputError: (str) => onUsageError(str) })
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true });

  program
    .command('generate')
    .description("images for a list of seeds, as NVIDIA's gen_images.py (DIR/seed0000.png, ...)")
    .requiredOption('--network <path>', 'network .pkl or stylelab model folder')
    .requiredOption('--seeds <list>', 'seeds, e.g. 0-3,7')
    .option('--trunc <psi>', TRUNC_HELP, '1')
    .option('--trunc-cutoff <n>', 'truncate only the first n ws (default: all)')
    .option('--class <n>', 'class index (required by conditional networks)')
    .option('--noise-mode <mode>', NOISE_HELP, 'const')
    .option('--outdir <dir>', 'output folder', 'out')
    .action(async (opts, cmd: Command) => print(await runGenerate(opts, globals(cmd))));

  program
    .command('style-mix')
    .description("a style-mixing grid, as NVIDIA's style_mixing.py (DIR/{row}-{col}.png and DIR/grid.png)")
    .requiredOption('--network <path>', 'network .pkl or stylelab model folder')
    .requiredOption('--rows <list>', 'row seeds, e.g. 85,100')
    .requiredOption('--cols <list>', 'column seeds, e.g. 55,821')
    .option('--styles <list>', 'layers (ws) taken from the column seed', '0-6')
    .option('--trunc <psi>', TRUNC_HELP, '1')
    .option('--class <n>', 'class index (conditional networks only)')
    .option('--noise-mode <mode>', NOISE_HELP, 'const')
    .requiredOption('--outdir <dir>', 'output folder')
    .action(async (opts, cmd: Command) => print(await runStyleMix(opts, globals(cmd))));

  program
    .command('info')
    .description('what a checkpoint holds: networks, resolution, dimensions, parameters')
    .requiredOption('--network <path>', 'network .pkl or stylelab model folder')
    .option('--json', 'machine-readable output')
    .action((opts, cmd: Command) => {
      globals(cmd);
      print(runInfo(opts));
    });

  program
    .command('convert')
    .description("a checkpoint to stylelab's format (a folder: config.json + weights.safetensors)")
    .argument('<input>', 'network .pkl (or a stylelab model folder)')
    .argument('<outdir>', 'output folder (replaced if it is a stylelab model folder)')
    .option('--networks <roles>', 'networks to keep, from G_ema,G,D (default: all present)')
    .action((input: string, outdir: string, opts: { networks?: string }, cmd: Command) => {
      globals(cmd);
      print(runConvert({ input, outdir, ...opts }));
    });

  program
    .command('export')
    .description('the generator as one ONNX model: z [batch, z_dim] (+ c) -> img [batch, C, R, R]')
    .requiredOption('--network <path>', 'network .pkl or stylelab model folder')
    .argument('<output>', 'the .onnx file to write')
    .option('--trunc <psi>', TRUNC_HELP, '1')
    .option('--trunc-cutoff <n>', 'truncate only the first n ws (default: all)')
    .option('--noise-mode <mode>', 'const or none', 'const')
    .option('--batch <n>', 'batch size of the model', '1')
    .option('--class <n>', 'bake this class into the model (conditional networks; otherwise c is an input)')
    .action(async (output: string, opts, cmd: Command) => print(await runExport({ ...opts, output }, globals(cmd))));

  program
    .command('translate')
    .description("U-GAT-IT image-to-image translation, as UGATIT.py's test phase (one PNG per input image)")
    .requiredOption('--checkpoint <path>', 'U-GAT-IT snapshot (<dataset>_params_NNNNNNN.pt) or stylelab model folder')
    .option('--direction <dir>', 'A2B or B2A', 'A2B')
    .requiredOption('--input <path>', 'an image file or a folder of images')
    .requiredOption('--outdir <dir>', 'output folder')
    .option('--img-size <n>', 'model image size (light-mode models; full-mode models fix it; default 256)')
    .option('--heatmap', 'also write the CAM heatmap as <name>_heatmap.png')
    .action(async (opts, cmd: Command) => print(await runTranslate(opts, globals(cmd))));

  program
    .command('train-ugatit')
    .description("trains U-GAT-IT as UGATIT.py does (light mode) on DIR/trainA and DIR/trainB; snapshots are stylelab model folders")
    .requiredOption('--data <dir>', 'data folder with trainA/ and trainB/ (optional testA/, testB/ for samples)')
    .requiredOption('--outdir <dir>', 'run folder: snapshot-NNNNNNN/, samples/, log.jsonl')
    .option('--iterations <n>', 'training iterations', UD.iterations)
    .option('--batch <n>', 'images per domain per iteration', UD.batch)
    .option('--lr <x>', 'Adam learning rate', UD.lr)
    .option('--weight-decay <x>', 'Adam weight decay', UD.weightDecay)
    .option('--no-decay', 'keep the learning rate constant (default: linear decay over the second half)')
    .option('--adv-weight <x>', 'adversarial loss weight', UD.advWeight)
    .option('--cycle-weight <x>', 'cycle loss weight', UD.cycleWeight)
    .option('--identity-weight <x>', 'identity loss weight', UD.identityWeight)
    .option('--cam-weight <x>', 'CAM loss weight', UD.camWeight)
    .option('--ch <n>', 'base channel count', UD.ch)
    .option('--n-res <n>', 'residual blocks', UD.nRes)
    .option('--img-size <n>', 'image size', UD.imgSize)
    .option('--full', 'full mode (the MLP reads all features; much larger) instead of light')
    .option('--snapshot-every <n>', 'iterations between snapshots', UD.snapshotEvery)
    .option('--sample-every <n>', 'iterations between sample images (0: none)', UD.sampleEvery)
    .option('--seed <n>', 'seed of initialisation, data order and augmentation', UD.seed)
    .option('--resume', 'continue from the latest snapshot in --outdir')
    .action(async (opts, cmd: Command) => print(await runTrainUgatit(opts, globals(cmd))));

  return program;
}
