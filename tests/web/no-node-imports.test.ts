// The platform-neutral core (src/index.ts) and the browser entry (src/web.ts) must not reach Node: walks their
// import graph through the .ts sources and fails on Node modules, Node-only packages and Node globals.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../fixtures.js';

const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'crypto', 'child_process', 'url', 'util', 'stream', 'buffer', 'worker_threads', 'http', 'https', 'net', 'zlib', 'module', 'process', 'events', 'readline', 'tty', 'v8', 'vm', 'perf_hooks', 'assert']);
const NODE_ONLY_PACKAGES = new Set(['onnxruntime-node', 'sharp']);
/** Node globals, matched outside comments and string literals (not as part of a longer name like ArrayBuffer.). */
const NODE_GLOBALS: { name: string; re: RegExp }[] = [
  { name: 'process.', re: /(?<![\w$.])process\s*\./ },
  { name: 'Buffer.', re: /(?<![\w$.])Buffer\s*\./ },
  { name: '__dirname', re: /(?<![\w$.])__dirname(?![\w$])/ },
  { name: '__filename', re: /(?<![\w$.])__filename(?![\w$])/ },
  { name: 'require(', re: /(?<![\w$.])require\s*\(/ },
];

/** Why a module specifier is Node-only, or null when it is allowed. */
export function nodeOnlyReason(spec: string): string | null {
  if (spec.startsWith('node:')) return 'a node: module';
  const root = spec.split('/')[0]!;
  if (NODE_BUILTINS.has(root)) return 'a Node builtin';
  if (NODE_ONLY_PACKAGES.has(root)) return 'a Node-only package';
  return null;
}

/**
 * Replaces comments and the contents of string and template literals with spaces (keeping line breaks), so
 * code checks do not trip on prose. Template substitutions `${...}` are kept as code.
 */
export function codeOnly(src: string): string {
  const out: string[] = [];
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  // Stack of open template literals; each holds the brace depth of its current substitution.
  const templates: number[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const inSubst = templates.length > 0 && templates[templates.length - 1]! > 0;
    if (templates.length > 0 && !inSubst) {
      // Inside template text: scan to `${` or the closing backtick.
      if (c === '\\') {
        out.push(blank(src.slice(i, i + 2)));
        i += 2;
      } else if (c === '`') {
        templates.pop();
        out.push('`');
        i++;
      } else if (c === '$' && src[i + 1] === '{') {
        templates[templates.length - 1] = 1;
        out.push('${');
        i += 2;
      } else {
        out.push(blank(c));
        i++;
      }
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      out.push(blank(src.slice(i, stop)));
      i = stop;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out.push(blank(src.slice(i, stop)));
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out.push(c, blank(src.slice(i + 1, j)), src[j] === c ? c : '');
      i = j + 1;
    } else if (c === '`') {
      templates.push(0);
      out.push('`');
      i++;
    } else {
      if (inSubst && c === '{') templates[templates.length - 1]!++;
      if (inSubst && c === '}') templates[templates.length - 1]!--;
      out.push(c);
      i++;
    }
  }
  return out.join('');
}

/** Module specifiers of static imports, re-exports, side-effect imports and dynamic import('...') calls. */
export function importSpecifiers(src: string): string[] {
  const specs: { at: number; spec: string }[] = [];
  // Strip comments only (keep strings: they hold the specifiers), then match the statements.
  const code = src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');
  const patterns = [
    /(?:^|[;\n}])\s*(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\n}])\s*import\s*['"]([^'"]+)['"]/g,
    /(?<![\w$.])import\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push({ at: m.index + m[0].length, spec: m[1]! });
  return specs.sort((a, b) => a.at - b.at).map((s) => s.spec);
}

/** The .ts file a relative specifier of `from` names ('./x.js' -> ./x.ts, './dir' -> ./dir/index.ts). */
function resolveRelative(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts'), base];
  const found = candidates.find((c) => c.endsWith('.ts') || c.endsWith('.mts') ? existsSync(c) : false);
  if (!found) throw new Error(`${relative(repoRoot, from)}: cannot resolve import '${spec}' to a .ts source`);
  return found;
}

export interface Violation {
  file: string;
  what: string;
}

/** Walks the import graph from the entries; returns the files reached and every Node-only use found. */
export function walk(entries: readonly string[]): { files: string[]; violations: Violation[] } {
  const seen = new Set<string>();
  const violations: Violation[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    const rel = relative(repoRoot, file);
    for (const spec of importSpecifiers(src)) {
      if (spec.startsWith('.')) {
        queue.push(resolveRelative(file, spec));
        continue;
      }
      const why = nodeOnlyReason(spec);
      if (why) violations.push({ file: rel, what: `imports '${spec}' (${why})` });
    }
    const code = codeOnly(src);
    code.split('\n').forEach((line, n) => {
      for (const g of NODE_GLOBALS) if (g.re.test(line)) violations.push({ file: `${rel}:${n + 1}`, what: `uses ${g.name} (a Node global)` });
    });
  }
  return { files: [...seen].map((f) => relative(repoRoot, f)).sort(), violations };
}

// The web app's page and worker bundles too (scripts/build-app.mjs checks what esbuild followed as well).
const ENTRIES = ['src/index.ts', 'src/web.ts', 'src/app/main.ts', 'src/app/worker.ts'].map((f) => join(repoRoot, f));

describe('no Node-only imports in the core and the browser entry', () => {
  test('the import graph of src/index.ts, src/web.ts and the web app (src/app) reaches no Node module or global', () => {
    for (const e of ENTRIES) assert.ok(existsSync(e), `entry ${e} is missing (tests read the .ts sources from the repository root)`);
    const { files, violations } = walk(ENTRIES);
    // The walk must really follow the graph: the core reaches the engine, the networks and the readers.
    for (const f of ['src/engine/runtime.ts', 'src/models/checkpoint.ts', 'src/io/pickle.ts', 'src/nets/stylegan2/synthesis.ts']) {
      assert.ok(files.includes(f), `the walk did not reach ${f}; it reached ${files.length} files: ${files.join(', ')}`);
    }
    assert.ok(!files.includes('src/node.ts'), 'src/node.ts is reachable from the core');
    assert.deepEqual(violations.map((v) => `${v.file}: ${v.what}`), [], 'Node-only code is reachable from src/index.ts or src/web.ts');
  });

  test('the checker catches what it should (and not prose or longer names)', () => {
    const src = [
      "import { readFileSync } from 'node:fs';",
      "import * as path from 'path';",
      "export { x } from 'onnxruntime-node';",
      "import {",
      "  a,",
      "} from 'sharp';",
      "import 'worker_threads';",
      "const m = await import('child_process');",
      "import type { T } from 'onnxruntime-common';",
      "export * from './local.js';",
      "// import { no } from 'fs';",
    ].join('\n');
    assert.deepEqual(importSpecifiers(src), ['node:fs', 'path', 'onnxruntime-node', 'sharp', 'worker_threads', 'child_process', 'onnxruntime-common', './local.js']);
    assert.deepEqual(importSpecifiers(src).map(nodeOnlyReason), [
      'a node: module', 'a Node builtin', 'a Node-only package', 'a Node-only package', 'a Node builtin', 'a Node builtin', null, null,
    ]);
    const code = codeOnly("const a = ArrayBuffer.isView(x); // process.env\nconst s = 'Buffer.from'; const t = `__dirname ${process.env.X}`;\n/* Buffer.alloc */ Buffer.alloc(1);");
    const hits = NODE_GLOBALS.filter((g) => g.re.test(code)).map((g) => g.name);
    assert.deepEqual(hits, ['process.', 'Buffer.']);
    assert.ok(!/process/.test(codeOnly('// process.env')), 'comments are blanked');
  });
});
