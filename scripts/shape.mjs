#!/usr/bin/env node
/**
 * The shape of the source tree, as numbers: lines over 120 characters, functions over 80 lines,
 * import cycles, and query-builder calls outside src/stores. `node scripts/shape.mjs` prints the
 * report; test/architecture.test.ts holds the tree to its limits.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = new Set(['src/ml/train/wasm/kernels-wasm.ts']);
const QUERY_CALL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(/g;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Source files of src/ (tests and generated code aside). */
export function sourceFiles(root = ROOT) {
  return walk(join(root, 'src'))
    .map((f) => relative(root, f))
    .filter((f) => !f.endsWith('.test.ts') && !GENERATED.has(f));
}

function longLines(files, root) {
  let total = 0;
  const long = [];
  for (const f of files) {
    const lines = readFileSync(join(root, f), 'utf8').split('\n');
    total += lines.length;
    lines.forEach((l, i) => {
      if (l.length > 120) long.push({ file: f, line: i + 1, length: l.length });
    });
  }
  return { total, long };
}

function longFunctions(files, root, limit) {
  const out = [];
  for (const f of files) {
    if (f.startsWith('src/stores/migrations/')) continue;
    const text = readFileSync(join(root, f), 'utf8');
    const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = end - start + 1;
        if (lines > limit) out.push({ file: f, line: start + 1, lines, name: nameOf(node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

/** Static imports between source files (type-only imports included: a cycle of types is a cycle). */
function importGraph(files, root) {
  const set = new Set(files);
  const graph = new Map();
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    const deps = [];
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = relative(root, resolve(root, dirname(f), m[1])).replace(/\.js$/, '.ts');
      if (set.has(target)) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

function cycles(graph) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 1) found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

function queryCalls(files, root) {
  const out = [];
  for (const f of files) {
    if (f.startsWith('src/stores/')) continue;
    const lines = readFileSync(join(root, f), 'utf8').split('\n');
    lines.forEach((l, i) => {
      for (const m of l.matchAll(QUERY_CALL)) out.push({ file: f, line: i + 1, call: m[1] });
    });
  }
  return out;
}

export function shape(root = ROOT, functionLimit = 80) {
  const files = sourceFiles(root);
  const { total, long } = longLines(files, root);
  return {
    files: files.length,
    lines: total,
    longLines: long,
    longShare: long.length / total,
    longFunctions: longFunctions(files, root, functionLimit),
    cycles: cycles(importGraph(files, root)),
    queryCalls: queryCalls(files, root),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = shape();
  console.log(`${s.files} files, ${s.lines} lines`);
  console.log(`lines over 120: ${s.longLines.length} (${(s.longShare * 100).toFixed(2)}%)`);
  for (const l of s.longLines) console.log(`  ${l.file}:${l.line} (${l.length})`);
  console.log(`functions over 80 lines: ${s.longFunctions.length}`);
  for (const f of s.longFunctions) console.log(`  ${f.file}:${f.line} ${f.name} (${f.lines})`);
  console.log(`import cycles: ${s.cycles.length}`);
  for (const c of s.cycles) console.log(`  ${c.join(' → ')}`);
  console.log(`query-builder calls outside src/stores: ${s.queryCalls.length}`);
  const byFile = new Map();
  for (const q of s.queryCalls) byFile.set(q.file, (byFile.get(q.file) ?? 0) + 1);
  for (const [f, n] of [...byFile].sort((a, b) => b[1] - a[1])) console.log(`  ${f}: ${n}`);
}
