// The `stylelab` command tree (commander). Commander checks the command structure (unknown options,
// missing arguments); the values themselves are checked by the commands, before any work starts.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runConvert } from './convert.js';
import { runDataset } from './dataset.js';
import { DEFAULT_MODEL, defaultNetwork } from './default-model.js';
import { DRAG_DEFAULTS } from '../drag/session.js';
import { DEFAULT_PSI } from '../nets/truncation.js';
import { runDrag } from './drag.js';
import { runExport } from './export.js';
import { runGenerate } from './generate.js';
import { runInfo } from './info.js';
import { runMetrics } from './metrics.js';
import { parseThreads } from './options.js';
import { runProject } from './project.js';
import type { GlobalOptions } from './session.js';
import { runServe } from './serve.js';
import { runStyleMix } from './style-mix.js';
import { runVideo } from './video.js';
import { runTranslate } from './translate.js';
import { runTrainUgatit, TRAIN_UGATIT_DEFAULTS as UD } from './train-ugatit.js';
import { runTrain } from './train.js';

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
  const o = cmd.optsWithGlobals<{ threads?: string; verbose?: boolean; quiet?: boolean }>();
  return { threads: parseThreads(o.threads), verbose: !!o.verbose, quiet: !!o.quiet };
}

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

const NETWORK_HELP = `network .pkl or stylelab model folder (default: the bundled ${DEFAULT_MODEL})`;
/** Commander's options with --network filled in by the bundled default model when absent. */
const withNetwork = <T extends { network?: string }>(opts: T): T & { network: string } => ({ ...opts, network: opts.network ?? defaultNetwork() });

/** Commander's collector of a repeatable option. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

const NOISE_HELP = 'noise inputs: const (stored noise), random or none';
const TRUNC_HELP = 'truncation psi';

/**
 * Builds the command tree. Errors of commander itself are shown by `onUsageError` and thrown (exitOverride).
 * @example await buildProgram((msg) => process.stderr.write(msg)).parseAsync(process.argv);
 */
export function buildProgram(onUsageError: (message: string) => void): Command {
  const program = new Command('stylelab')
    .description('style-based GANs (StyleGAN, StyleGAN2, StyleGAN3, DragGAN, U-GAT-IT) on ONNX Runtime, seed for seed as the official code')
    .version(version(), '-V, --version')
    .option('--threads <n>', 'ONNX Runtime threads (0: one per core)')
    .option('--verbose', 'print the stack trace of errors')
    .option('--quiet', 'no progress display (a bar on a terminal, a line every few seconds in a log)')
    .exitOverride()
    .configureOutput({ outputError: (str) => onUsageError(str) })
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true });

  program
    .command('generate')
    .description("images for a list of seeds, as NVIDIA's gen_images.py (DIR/seed0000.png, ...)")
    .option('--network <path>', NETWORK_HELP)
    .requiredOption('--seeds <list>', 'seeds, e.g. 0-3,7')
    .option('--trunc <psi>', TRUNC_HELP, String(DEFAULT_PSI))
    .option('--trunc-cutoff <n>', 'truncate only the first n ws (default: all)')
    .option('--class <n>', 'class index (required by conditional networks)')
    .option('--noise-mode <mode>', NOISE_HELP, 'const')
    .option('--outdir <dir>', 'output folder', 'out')
    .option('--translate <x,y>', 'StyleGAN3 only: translate the input, e.g. 0.25,-0.1')
    .option('--rotate <deg>', 'StyleGAN3 only: rotate the input by this many degrees')
    .action(async (opts, cmd: Command) => print(await runGenerate(withNetwork(opts), globals(cmd))));

  program
    .command('style-mix')
    .description("a style-mixing grid, as NVIDIA's style_mixing.py (DIR/{row}-{col}.png and DIR/grid.png)")
    .option('--network <path>', NETWORK_HELP)
    .requiredOption('--rows <list>', 'row seeds, e.g. 85,100')
    .requiredOption('--cols <list>', 'column seeds, e.g. 55,821')
    .option('--styles <list>', 'layers (ws) taken from the column seed', '0-6')
    .option('--trunc <psi>', TRUNC_HELP, String(DEFAULT_PSI))
    .option('--class <n>', 'class index (conditional networks only)')
    .option('--noise-mode <mode>', NOISE_HELP, 'const')
    .requiredOption('--outdir <dir>', 'output folder')
    .action(async (opts, cmd: Command) => print(await runStyleMix(withNetwork(opts), globals(cmd))));

  program
    .command('video')
    .description("a looping latent interpolation video, as NVIDIA's gen_video.py (.mp4 through ffmpeg, or .gif)")
    .option('--network <path>', NETWORK_HELP)
    .requiredOption('--seeds <list>', 'keyframe seeds, e.g. 0-31 (cycled to fill grid x keyframes)')
    .option('--shuffle-seed <n>', 'shuffle the seeds with this seed (as gen_video.py)')
    .option('--grid <WxH>', 'grid of videos, e.g. 4x2', '1x1')
    .option('--num-keyframes <n>', 'keyframes per cell (default: number of seeds / grid cells)')
    .option('--w-frames <n>', 'frames between keyframes', '120')
    .option('--trunc <psi>', TRUNC_HELP, String(DEFAULT_PSI))
    .option('--class <n>', 'class index (conditional networks only)')
    .option('--fps <n>', 'frames per second', '60')
    .option('--bitrate <rate>', 'MP4 bit rate', '12M')
    .option('--batch <n>', 'frames per synthesis call (default: up to 8 images of 256x256 a call)')
    .requiredOption('--output <file>', 'the .mp4 or .gif to write')
    .action(async (opts, cmd: Command) => print(await runVideo(withNetwork(opts), globals(cmd))));

  program
    .command('info')
    .description('what a checkpoint holds: networks, resolution, dimensions, parameters')
    .option('--network <path>', 'network .pkl, U-GAT-IT .pt or stylelab model folder (default: the bundled model)')
    .option('--json', 'machine-readable output')
    .action((opts, cmd: Command) => {
      globals(cmd);
      print(runInfo(withNetwork(opts)));
    });

  program
    .command('convert')
    .description("a checkpoint to stylelab's format (a folder: config.json + weights.safetensors)")
    .argument('<input>', 'network .pkl, U-GAT-IT .pt (or a stylelab model folder)')
    .argument('<outdir>', 'output folder (replaced if it is a stylelab model folder)')
    .option('--networks <roles>', 'networks to keep, from G_ema,G,D (U-GAT-IT: genA2B,genB2A,disGA,disGB,disLA,disLB; default: all present)')
    .action((input: string, outdir: string, opts: { networks?: string }, cmd: Command) => {
      globals(cmd);
      print(runConvert({ input, outdir, ...opts }));
    });

  program
    .command('export')
    .description('the generator as one ONNX model: z [batch, z_dim] (+ c) -> img [batch, C, R, R]')
    .requiredOption('--network <path>', 'network .pkl or stylelab model folder')
    .argument('<output>', 'the .onnx file to write')
    .option('--trunc <psi>', TRUNC_HELP, String(DEFAULT_PSI))
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
    .command('dataset')
    .description("a training data set zip from a folder or zip of images, as NVIDIA's dataset_tool.py")
    .requiredOption('--source <path>', 'folder (searched recursively) or zip of images; dataset.json labels are carried over')
    .requiredOption('--dest <zip>', 'the .zip to write (00000/img00000000.png, ..., dataset.json)')
    .option('--resolution <n>', 'output size N (or WxH with center-crop-wide); default: the images\' own size')
    .option('--transform <t>', 'center-crop or center-crop-wide (default: none; images must then be square and all the same size)')
    .option('--skip-bad', 'leave out bad images (listed as warnings) instead of failing')
    .option('--max <n>', 'convert at most n images')
    .option('--background <color>', 'composite transparent images onto white, black or #rrggbb (default: refuse them)')
    .action(async (opts, cmd: Command) => {
      print(await runDataset(opts, globals(cmd)));
    });

  program
    .command('metrics')
    .description('quality metrics as metric_main.py names them (fid50k_full, kid50k_full, pr50k3_full, is50k, ppl2_wend, ...), swd; or between two image sets (fid, kid, pr, is)')
    .requiredOption('--metric <list>', 'comma-separated metric names (docs/metrics.md lists them)')
    .option('--network <path>', 'network .pkl or stylelab model folder (or training snapshot)')
    .option('--data <path>', "data set folder or zip: the network's real images, or the first of two image sets")
    .option('--reference <path>', 'the second image set (compares --data with it, like python -m pytorch_fid A B)')
    .option('--num <n>', 'images generated (default: the metric name\'s 50k; swd 1000) or used from --data between two sets')
    .option('--seed <n>', 'seed of the generated images (seeds seed..seed+num-1), KID subsets, PPL samples and SWD draws', '0')
    .option('--inception <file>', "pytorch-fid's pt_inception-2015-12-05-6726825d.pth (FID, KID, IS)")
    .option('--vgg16 <file>', "torchvision's vgg16-397923af.pth (precision/recall, PPL)")
    .option('--lpips <file>', "PerceptualSimilarity's LPIPS v0.1 vgg.pth (PPL)")
    .option('--batch <n>', 'feature-network batch size', '16')
    .option('--no-cache', "do not read or write the data set's cached feature statistics")
    .option('--json', 'one line per metric, as the official metric-<name>.jsonl')
    .action(async (opts, cmd: Command) => print(await runMetrics(opts, globals(cmd))));

  program
    .command('drag')
    .description('DragGAN: move handle points to targets (DIR/start.png, final.png, trajectory.gif, w.npy, steps.json)')
    .option('--network <path>', NETWORK_HELP)
    .option('--seed <n>', 'start from this seed (z as numpy RandomState(seed).randn)')
    .option('--latent <file>', 'start from a latent: .npy, projected_w.npz or a stylelab latent .json')
    .option('--trunc <psi>', `${TRUNC_HELP} (DragGAN's)`, String(DRAG_DEFAULTS.psi))
    .option('--w-space <space>', 'optimise w+ (one w per layer) or w (one shared w)', DRAG_DEFAULTS.wSpace)
    .requiredOption('--points <pairs>', 'handle>target pairs in pixels [row, col], e.g. "51,57>51,76;89,38>79,38"')
    .option('--mask <png>', 'white marks the flexible area; the rest is held fixed')
    .option('--lambda <x>', 'weight of the fixed-region term', String(DRAG_DEFAULTS.lambdaMask))
    .option('--lr <x>', 'Adam learning rate', String(DRAG_DEFAULTS.lr))
    .option('--r1 <r>', 'motion supervision radius in pixels of a 512 image (default: 3, or one pixel where 3 rounds to none)')
    .option('--r2 <r>', 'tracking radius (pixels of a 512 image)', String(DRAG_DEFAULTS.r2))
    .option('--max-steps <n>', 'step budget', String(DRAG_DEFAULTS.maxSteps))
    .requiredOption('--outdir <dir>', 'output folder')
    .action(async (opts, cmd: Command) => print(await runDrag(withNetwork(opts), globals(cmd))));

  program
    .command('serve')
    .description('the web app: generate, style mixing, DragGAN, U-GAT-IT and video in the browser (docs/web.md)')
    .option('--network <path>', 'offer this network .pkl or stylelab model folder too (repeatable)', collect, [])
    .option('--checkpoint <path>', 'offer this U-GAT-IT snapshot or stylelab U-GAT-IT folder (repeatable)', collect, [])
    .option('--port <n>', 'port to listen on (0: any free one)', '7860')
    .option('--host <address>', 'interface to listen on; anything but loopback is reachable by others, without authentication', '127.0.0.1')
    .option('--open', 'open the app in the default browser')
    .option('--idle-timeout <s>', "seconds before an idle page's server session is released", '600')
    .action(async (opts, cmd: Command) => {
      await runServe(opts, globals(cmd));
    });

  program
    .command('project')
    .description("projects an image into a network's latent space, as NVIDIA's projector.py (DIR/proj.png, target.png, projected_w.npz)")
    .option('--network <path>', NETWORK_HELP)
    .requiredOption('--target <file>', 'the image to project (centre-cropped to a square, resized to the network)')
    .option('--num-steps <n>', 'optimisation steps', '1000')
    .option('--seed <n>', 'random seed (initial noise buffers, w noise)', '303')
    .requiredOption('--outdir <dir>', 'output folder')
    .option('--w-plus', 'optimise one w per layer (W+, as common forks) instead of one w (W, the official)')
    .option('--save-video', 'also write proj.mp4 (proj.gif without ffmpeg): target and projection, one frame a step')
    .option('--loss <d>', 'image distance: lpips (the official, needs --lpips and --vgg16) or mse (pixels)', 'lpips')
    .option('--lpips <file>', `LPIPS v0.1 linear layers (PerceptualSimilarity's vgg.pth; default: $STYLELAB_METRIC_NETS/vgg.pth)`)
    .option('--vgg16 <file>', "torchvision VGG16 weights (vgg16-397923af.pth; default: $STYLELAB_METRIC_NETS/vgg16-397923af.pth)")
    .action(async (opts, cmd: Command) => print(await runProject(withNetwork(opts), globals(cmd))));

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

  program
    .command('train')
    .description("train StyleGAN2/StyleGAN3 (or resume an official .pkl / a stylelab snapshot), as NVIDIA's train.py")
    .requiredOption('--data <path>', 'training images: a folder or a zip (see `stylelab dataset`)')
    .requiredOption('--outdir <dir>', 'where reals.png, fakes*.png, network-snapshot-*/ and stats.jsonl go')
    .option('--cfg <cfg>', 'stylegan2, stylegan3-t, stylegan3-r or stylegan1 (required unless resuming a stylelab snapshot)')
    .option('--batch <n>', 'total batch size')
    .option('--gamma <g>', 'R1 regularization weight')
    .option('--kimg <n>', 'training length in thousands of real images (default: 25000)')
    .option('--mirror', 'add x-flipped copies of the images')
    .option('--cond', 'train a conditional network on the dataset.json labels')
    .option('--aug <mode>', 'augmentation: ada, noaug or fixed (default: ada)')
    .option('--augpipe <name>', 'augmentation pipeline (bgc, bg, blit, geom, color, ...) (default: bgc)')
    .option('--target <t>', 'ADA target for E[sign(D(real))] (default: 0.6)')
    .option('--p <p>', 'augmentation probability for --aug fixed (initial p for ada)')
    .option('--resume <path>', 'continue from an official .pkl (G, D, G_ema) or a stylelab snapshot folder')
    .option('--snap <ticks>', 'ticks between snapshots and fakes grids (default: 50)')
    .option('--tick <kimg>', 'kimg per tick (log line) (default: 4)')
    .option('--seed <n>', 'random seed (default: 0)')
    .option('--glr <lr>', 'G learning rate (default: 0.002 stylegan2, 0.0025 stylegan3)')
    .option('--dlr <lr>', 'D learning rate (default: 0.002)')
    .option('--cbase <n>', 'capacity multiplier (channel_base) (default: 32768)')
    .option('--cmax <n>', 'max feature maps (channel_max) (default: 512)')
    .option('--map-depth <n>', 'mapping network depth (default: 8 stylegan2, 2 stylegan3)')
    .option('--z-dim <n>', 'latent z dimension (default: 512)')
    .option('--w-dim <n>', 'intermediate latent w dimension (default: 512)')
    .option('--mbstd-group <n>', 'minibatch-stddev group size (default: 4)')
    .option('--metrics <list>', 'metrics at snapshots, as stylelab metrics names them (fid50k_full, kid50k_full, pr50k3_full, is50k, ppl2_wend, swd, ...) or none (default: none)')
    .option('--metrics-num <n>', "images per metric at snapshots (default: the name's 50k)")
    .option('--inception <file>', "pytorch-fid's pt_inception-2015-12-05-6726825d.pth, for FID, KID, IS at snapshots")
    .option('--vgg16 <file>', "torchvision's vgg16-397923af.pth, for precision/recall and PPL at snapshots")
    .option('--lpips <file>', "PerceptualSimilarity's LPIPS v0.1 vgg.pth, for PPL at snapshots")
    .option('--lod-kimg <n>', 'stylegan1: kimg per resolution, then as many to fade the next in (default: 600)')
    .action(async (opts, cmd: Command) => print(await runTrain(opts, globals(cmd))));

  return program;
}
