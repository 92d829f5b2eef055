#!/usr/bin/env node
// The pictures of docs/default-model.md, from a training run's stats.jsonl and the exported model: the SWD over
// training (an SVG line plot rendered to PNG by sharp), a sample grid, a style-mixing grid and a drag example.
// Usage: node scripts/default-model-report.mjs RUN_DIR MODEL_DIR OUT_DIR
// The drag example's seed, points and settings: DRAG_SEED, DRAG_POINTS ("r,c>r,c;..."), DRAG_LR, DRAG_STEPS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/src/cli/main.js');
const stylelab = (...args) => execFileSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
const SCALE = 4; // 32x32 images shown at 128x128 (nearest neighbour, so pixels stay visible)

/** stats.jsonl records that carry an SWD (the snapshots). */
function swdSeries(runDir) {
  return readFileSync(join(runDir, 'stats.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => typeof r['Metrics/swd'] === 'number');
}

/** An SVG line plot of SWD (x1e3, mean over pyramid levels and each level) against kimg. */
function swdPlotSvg(records) {
  const W = 720, H = 360, L = 60, R = 150, T = 20, B = 45;
  const keys = Object.keys(records.at(-1)).filter((k) => k.startsWith('Metrics/swd')).sort();
  const maxK = Math.max(...records.map((r) => r.kimg));
  const maxY = Math.max(...records.flatMap((r) => keys.map((k) => r[k] ?? 0)));
  const x = (k) => L + (k / maxK) * (W - L - R);
  const y = (v) => T + (1 - v / maxY) * (H - T - B);
  const colours = ['#000000', '#d62728', '#1f77b4', '#2ca02c', '#9467bd'];
  const lines = keys.map((k, i) => {
    const pts = records.filter((r) => typeof r[k] === 'number').map((r) => `${x(r.kimg).toFixed(1)},${y(r[k]).toFixed(1)}`).join(' ');
    const label = k === 'Metrics/swd' ? 'mean' : `${k.slice('Metrics/swd'.length)}px`;
    return `<polyline fill="none" stroke="${colours[i % colours.length]}" stroke-width="${k === 'Metrics/swd' ? 2.5 : 1.2}" points="${pts}"/>`
      + `<text x="${W - R + 12}" y="${T + 16 + 18 * i}" fill="${colours[i % colours.length]}" font-size="13">${label}</text>`;
  });
  const ticks = [];
  for (let i = 0; i <= 5; i++) {
    const k = (maxK * i) / 5, v = (maxY * i) / 5;
    ticks.push(`<text x="${x(k)}" y="${H - B + 18}" font-size="12" text-anchor="middle">${Math.round(k)}</text>`);
    ticks.push(`<text x="${L - 6}" y="${y(v) + 4}" font-size="12" text-anchor="end">${Math.round(v)}</text>`);
    ticks.push(`<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>${ticks.join('')}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>
${lines.join('\n')}
<text x="${(L + W - R) / 2}" y="${H - 8}" font-size="13" text-anchor="middle">kimg (thousands of real images shown)</text>
<text x="16" y="${(T + H - B) / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">SWD x 1e3 vs the data set</text>
</svg>`;
}

/** Upscales a PNG by SCALE with nearest neighbour. */
async function enlarge(file) {
  const m = await sharp(file).metadata();
  return sharp(file).resize(m.width * SCALE, m.height * SCALE, { kernel: 'nearest' }).png().toBuffer();
}

/** A cols x rows grid of equally sized PNG buffers with a 4-pixel white gutter. */
async function grid(buffers, cols) {
  const { width, height } = await sharp(buffers[0]).metadata();
  const rows = Math.ceil(buffers.length / cols), g = 4;
  const composite = buffers.map((input, i) => ({ input, left: g + (i % cols) * (width + g), top: g + Math.floor(i / cols) * (height + g) }));
  return sharp({ create: { width: g + cols * (width + g), height: g + rows * (height + g), channels: 3, background: '#ffffff' } }).composite(composite).png().toBuffer();
}

/** An SVG overlay of handle (red) -> target (blue) arrows on a size x size picture of an R x R image. */
function pointsSvg(pairs, R, size) {
  const k = size / R;
  const at = ([r, c]) => [(c + 0.5) * k, (r + 0.5) * k];
  const marks = pairs.map(([h, t]) => {
    const [x1, y1] = at(h), [x2, y2] = at(t);
    return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="white" stroke-width="3"/>`
      + `<circle cx="${x1}" cy="${y1}" r="7" fill="#e33" stroke="white" stroke-width="2"/><circle cx="${x2}" cy="${y2}" r="7" fill="#37f" stroke="white" stroke-width="2"/>`;
  });
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">${marks.join('')}</svg>`);
}

/** DragGAN on the model: start (with the points) and final image side by side. */
async function dragExample(modelDir, tmp, outFile) {
  const seed = process.env.DRAG_SEED ?? '6';
  const points = process.env.DRAG_POINTS ?? '23,12>27,12;23,20>27,20';
  const dir = join(tmp, 'drag');
  stylelab('drag', '--network', modelDir, '--seed', seed, '--points', points, '--lr', process.env.DRAG_LR ?? '0.001', '--max-steps', process.env.DRAG_STEPS ?? '200', '--outdir', dir);
  const steps = JSON.parse(readFileSync(join(dir, 'steps.json'), 'utf8'));
  const pairs = points.split(';').map((p) => p.split('>').map((q) => q.split(',').map(Number)));
  const tracked = steps.steps.at(-1).points.map((p, i) => [p, pairs[i][1]]);
  const { width: R } = await sharp(join(dir, 'start.png')).metadata();
  const size = R * 8;
  const show = async (png, marks) => sharp(png).resize(size, size, { kernel: 'nearest' }).composite([{ input: pointsSvg(marks, R, size) }]).png().toBuffer();
  await sharp(await grid([await show(join(dir, 'start.png'), pairs), await show(join(dir, 'final.png'), tracked)], 2)).toFile(outFile);
  return { seed, points, steps: steps.steps.length };
}

async function main() {
  const [runDir, modelDir, outDir] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: default-model-report.mjs RUN_DIR MODEL_DIR OUT_DIR');
  const tmp = mkdtempSync(join(tmpdir(), 'stylelab-report-'));
  try {
    await sharp(Buffer.from(swdPlotSvg(swdSeries(runDir)))).png().toFile(join(outDir, 'swd.png'));
    // 64 samples, psi 1 (what the model really draws, no truncation).
    stylelab('generate', '--network', modelDir, '--seeds', '0-63', '--outdir', join(tmp, 'samples'));
    const samples = [];
    for (let s = 0; s < 64; s++) samples.push(await enlarge(join(tmp, 'samples', `seed${String(s).padStart(4, '0')}.png`)));
    await sharp(await grid(samples, 8)).toFile(join(outDir, 'samples.png'));
    // Style mixing as style_mixing.py: coarse styles (ws 0-3) from the column seeds.
    stylelab('style-mix', '--network', modelDir, '--rows', '1,5,9,14', '--cols', '2,6,11,20,33', '--styles', '0-3', '--outdir', join(tmp, 'mix'));
    await sharp(await enlarge(join(tmp, 'mix', 'grid.png'))).toFile(join(outDir, 'style-mix.png'));
    console.log('drag example:', await dragExample(modelDir, tmp, join(outDir, 'drag.png')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
