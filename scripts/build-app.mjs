#!/usr/bin/env node
// Bundles the web app of `stylelab serve` with esbuild into dist/app/: app.js (the page, src/app/main.ts), worker.js
// (the Web Worker with stylelab/web and onnxruntime-web, src/app/worker.ts), index.html and style.css. The server
// serves onnxruntime-web's .wasm/.mjs from node_modules itself. Type-checking stays with tsc (npm run build).
// Usage: node scripts/build-app.mjs [--outdir DIR] [--dev]   (--dev: source maps, no minification)
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--outdir');
const outdir = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(root, 'dist', 'app');
const dev = args.includes('--dev');

export async function buildApp(dir = outdir) {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { app: join(root, 'src', 'app', 'main.ts'), worker: join(root, 'src', 'app', 'worker.ts') },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: !dev,
    sourcemap: dev,
    legalComments: 'eof',
    logLevel: 'warning',
    // onnxruntime-web's loader imports a computed URL on purpose; nothing to bundle there.
    logOverride: { 'unsupported-dynamic-import': 'silent' },
    metafile: true,
  });
  // The bundles must not pull in Node: check what esbuild actually followed.
  const nodeOnly = Object.keys(result.metafile.inputs).filter((f) => /(^|\/)node_modules\/(onnxruntime-node|sharp|zod)\//.test(f) || f.startsWith('node:') || /src\/(serve|cli)\//.test(f));
  if (nodeOnly.length > 0) throw new Error(`the app bundle reaches server-only modules: ${nodeOnly.join(', ')}`);
  const staticDir = join(root, 'src', 'app', 'static');
  for (const f of readdirSync(staticDir)) copyFileSync(join(staticDir, f), join(dir, f));
  const size = (f) => `${(statSync(join(dir, f)).size / 1024).toFixed(0)} kB`;
  console.log(`build-app: ${dir} (app.js ${size('app.js')}, worker.js ${size('worker.js')}) in ${Math.round(performance.now() - t0)} ms`);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildApp().catch((e) => {
    console.error(`build-app: ${e.message}`);
    process.exit(1);
  });
}
