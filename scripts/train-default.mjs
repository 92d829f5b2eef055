#!/usr/bin/env node
// Reproduces the bundled default model (docs/default-model.md): the emoji data set, the StyleGAN2 training run
// (resumed from the committed snapshot when there is one) and the export to models/.
//   npm run train:default            # data, then train (resumes), then export
//   node scripts/train-default.mjs data|train|export|checkpoint
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/src/cli/main.js');
const VENDOR = 'google'; // Noto Emoji (Apache-2.0), from the emoji-datasource-google npm package
const PACKAGE = `emoji-datasource-${VENDOR}`;
const RESOLUTION = 32;
const DATASET = join(root, 'datasets', `emoji-noto-${RESOLUTION}.zip`);
const RUN = join(root, 'runs', 'emoji32'); // the training run (not committed)
const CHECKPOINT = join(root, 'training', 'emoji32'); // the latest snapshot + stats, committed for --resume
const MODEL = join(root, 'models', 'stylegan2-emoji32');
const KIMG = Number(process.env.KIMG ?? 3000);

/** Train.py-style flags of the run (docs/default-model.md says why these). */
const TRAIN_FLAGS = [
  '--cfg', 'stylegan2', '--batch', '16', '--gamma', '0.01', '--mirror', '--aug', 'ada',
  '--cbase', '2048', '--cmax', '128', '--map-depth', '2', '--z-dim', '256', '--w-dim', '256',
  '--tick', '4', '--snap', '5', '--metrics', 'swd',
];

/** Faces, hearts and animals: Smileys & Emotion without its 'emotion' symbols (speech balloons, 💯, 💥), and every animal. */
export function selected(e) {
  if (!e[`has_img_${VENDOR}`]) return false;
  if (e.category === 'Smileys & Emotion') return e.subcategory !== 'emotion';
  return e.category === 'Animals & Nature' && e.subcategory.startsWith('animal-');
}

const stylelab = (...args) => execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit' });

function data() {
  const pkg = join(root, 'node_modules', PACKAGE);
  const emoji = JSON.parse(readFileSync(join(pkg, 'emoji.json'), 'utf8'));
  const src = mkdtempSync(join(tmpdir(), 'stylelab-emoji-'));
  try {
    const picked = emoji.filter(selected);
    for (const e of picked) cpSync(join(pkg, 'img', VENDOR, '64', e.image), join(src, e.image));
    console.log(`${picked.length} emoji from ${PACKAGE}`);
    mkdirSync(dirname(DATASET), { recursive: true });
    stylelab('dataset', '--source', src, '--dest', DATASET, '--resolution', String(RESOLUTION), '--transform', 'center-crop', '--background', 'white');
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

/** The newest network-snapshot-* folder of the run, or null. */
function latestSnapshot() {
  if (!existsSync(RUN)) return null;
  const snaps = readdirSync(RUN).filter((n) => n.startsWith('network-snapshot-')).sort();
  return snaps.length ? join(RUN, snaps.at(-1)) : null;
}

function train() {
  if (!existsSync(DATASET)) data();
  let resume = latestSnapshot();
  if (!resume && existsSync(join(CHECKPOINT, 'snapshot'))) {
    resume = join(CHECKPOINT, 'snapshot');
    carryStats(resume);
  }
  const args = ['train', '--data', DATASET, '--outdir', RUN, '--kimg', String(KIMG)];
  stylelab(...args, ...(resume ? ['--resume', resume] : TRAIN_FLAGS));
}

/** Starts a new run folder's stats.jsonl with the committed history up to the snapshot being resumed, so the SWD plot covers the whole run. */
function carryStats(snapshot) {
  const kimg = JSON.parse(readFileSync(join(snapshot, 'training-state.json'), 'utf8')).counters.curNimg / 1000;
  const lines = readFileSync(join(CHECKPOINT, 'stats.jsonl'), 'utf8').trim().split('\n').filter((l) => JSON.parse(l).kimg <= kimg + 1e-6);
  mkdirSync(RUN, { recursive: true });
  writeFileSync(join(RUN, 'stats.jsonl'), `${lines.join('\n')}\n`);
}

/** Copies the run's latest snapshot and its stats into training/emoji32 (atomically), for committing. */
function checkpoint() {
  const snap = latestSnapshot();
  if (!snap) throw new Error(`no snapshot in ${RUN}`);
  const tmp = `${CHECKPOINT}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  cpSync(snap, join(tmp, 'snapshot'), { recursive: true });
  cpSync(join(RUN, 'stats.jsonl'), join(tmp, 'stats.jsonl'));
  rmSync(CHECKPOINT, { recursive: true, force: true });
  renameSync(tmp, CHECKPOINT);
  console.log(`${snap} -> ${CHECKPOINT}`);
}

function exportModel() {
  const snap = latestSnapshot() ?? join(CHECKPOINT, 'snapshot');
  stylelab('convert', snap, MODEL, '--networks', 'G_ema');
  const state = JSON.parse(readFileSync(join(snap, 'training-state.json'), 'utf8'));
  writeFileSync(join(MODEL, 'NOTICE'), [
    `Trained by stylelab (scripts/train-default.mjs) on ${Math.round(state.counters.curNimg / 1000)} kimg of Noto Emoji images.`,
    'Noto Emoji images: Copyright Google LLC, Apache License 2.0 (https://github.com/googlefonts/noto-emoji/blob/main/LICENSE),',
    `taken from the npm package ${PACKAGE}@${JSON.parse(readFileSync(join(root, 'node_modules', PACKAGE, 'package.json'), 'utf8')).version}.`,
    '',
  ].join('\n'));
}

const steps = { data, train, checkpoint, export: exportModel };
const which = process.argv[2] ?? 'all';
if (which === 'all') for (const s of [data, train, exportModel]) s();
else if (steps[which]) steps[which]();
else {
  console.error(`usage: train-default.mjs [all|${Object.keys(steps).join('|')}]`);
  process.exit(2);
}
