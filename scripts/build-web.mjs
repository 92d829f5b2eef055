#!/usr/bin/env node
// Bundles the browser test page (tests/web/page.ts, which imports the stylelab/web sources) with esbuild into
// dist/web-test/, beside an index.html and onnxruntime-web's runtime files (.wasm and the .mjs loaders that
// fetch them). Type-checking stays with `npm run build`; esbuild only strips the types.
// Usage: node scripts/build-web.mjs [--outdir DIR]
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--outdir');
const outdir = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(root, 'dist', 'web-test');

/** onnxruntime-web's dist folder (found through Node's resolution, so hoisting does not matter). */
function ortDistDir() {
  const require = createRequire(join(root, 'package.json'));
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/**
 * The runtime files the default `onnxruntime-web` import (the JSEP build: wasm and WebGPU) loads: its .wasm
 * binary and its Emscripten .mjs loader (imported from wasmPaths when set, and the entry of the wasm threads'
 * workers). Pages built on onnxruntime-web/wasm need ort-wasm-simd-threaded.{wasm,mjs} instead, and
 * onnxruntime-web/webgpu the .asyncify ones.
 */
const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

/** Copies a file unless an identical-looking copy (same size, not older) is already there. */
function copyIfChanged(from, to) {
  if (existsSync(to)) {
    const a = statSync(from);
    const b = statSync(to);
    if (a.size === b.size && b.mtimeMs >= a.mtimeMs) return false;
  }
  copyFileSync(from, to);
  return true;
}

const INDEX_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>stylelab browser test</title></head>
<body>
<p id="status">loading</p>
<script type="module">
  import './page.js';
  document.getElementById('status').textContent = 'ready';
</script>
</body>
</html>
`;

export async function buildWeb(dir = outdir) {
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'tests', 'web', 'page.ts')],
    outfile: join(dir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    // onnxruntime-web's loader imports a computed URL on purpose; nothing to bundle there.
    logOverride: { 'unsupported-dynamic-import': 'silent' },
    metafile: true,
  });
  // The bundle must not pull in Node: check what esbuild actually followed.
  const nodeOnly = Object.keys(result.metafile.inputs).filter((f) => /(^|\/)node_modules\/(onnxruntime-node|sharp)\//.test(f) || f.startsWith('node:'));
  if (nodeOnly.length > 0) throw new Error(`the browser bundle reaches Node-only modules: ${nodeOnly.join(', ')}`);
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  const ortDir = ortDistDir();
  const files = ORT_RUNTIME_FILES;
  for (const f of files) if (!existsSync(join(ortDir, f))) throw new Error(`onnxruntime-web's ${f} not found in ${ortDir}`);
  let copied = 0;
  for (const f of files) if (copyIfChanged(join(ortDir, f), join(dir, f))) copied++;
  const ms = Math.round(performance.now() - t0);
  console.log(`build-web: ${dir}/page.js (${statSync(join(dir, 'page.js')).size} bytes), ${files.length} onnxruntime-web files (${copied} copied) in ${ms} ms`);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWeb().catch((e) => {
    console.error(`build-web: ${e.message}`);
    process.exit(1);
  });
}
