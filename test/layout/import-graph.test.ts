// The shape of services/: its files import each other without a cycle, its folders (areas) too, and
// an area imports another only as the graph below allows. The API↔worker contract is defined only in
// protocol/, and untrusted file trees are handled only in intake/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';

/** Floors, bottom first: any area may import them; a floor only the floors below it. */
const FLOORS = ['common', 'protocol', 'intake'];

/** The command line may import any area; no area imports it. */
const TOP = 'cli';

/** What each other area may import besides the floors. */
const MAY_IMPORT: Record<string, string[]> = {
  seccomp: [],
  audit: ['seccomp', 'store'],
  sandbox: ['audit', 'seccomp'],
  store: [],
  queue: [],
  grading: ['sandbox', 'store'],
  worker: ['grading', 'queue'],
  access: ['store'],
  lti: ['store'],
  webhooks: ['queue', 'store'],
  api: ['access', 'audit', 'grading', 'lti', 'queue', 'store', 'webhooks'],
  account: ['store'],
  starter: ['account', 'grading', 'store'],
  bench: ['account', 'grading', 'sandbox', 'starter', 'worker'],
};

/** Areas where no schema of the contract is written: they take it from protocol/. */
const CONTRACT_USERS = ['api', 'worker', 'queue'];

/** The libraries that read or write archives: only intake/ may use them. */
const ARCHIVE_LIBRARIES = ['tar-stream', 'yauzl'];

const root = fromPackageRoot('.');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

interface SourceFile {
  /** Relative files it imports (static, `export … from` and dynamic `import()`), as paths from the root. */
  imports: string[];
  /** The packages it imports. */
  packages: string[];
  text: string;
}

function readSource(file: string): SourceFile {
  const text = readFileSync(join(root, file), 'utf8');
  const names = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  const imports = names.filter((n) => n.startsWith('.')).map((n) => relative(root, resolve(root, dirname(file), n.replace(/\.js$/, '.ts'))));
  return { imports, packages: names.filter((n) => !n.startsWith('.') && !n.startsWith('node:')), text };
}

const files = new Map(sourceFiles(join(root, 'services')).map((file) => [file, readSource(file)]));

/** `services/api/upload/x.ts` → `api`. */
function areaOf(file: string): string {
  return file.split('/')[1]!;
}

/** The cycles of a graph: each strongly connected component with more than one node, or a node importing itself (Tarjan). */
function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do component.push((member = stack.pop()!)); while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

function fileGraph(): Map<string, Set<string>> {
  return new Map([...files].map(([file, source]) => [file, new Set(source.imports)]));
}

/** Every import from one area into another, as `from → to` with the files that make it. */
function areaEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [file, source] of files) {
    for (const target of source.imports) {
      if (areaOf(file) === areaOf(target)) continue;
      const key = `${areaOf(file)} → ${areaOf(target)}`;
      edges.set(key, [...(edges.get(key) ?? []), `${file} imports ${target}`]);
    }
  }
  return edges;
}

function mayImport(from: string, to: string): boolean {
  if (to === TOP) return false;
  if (from === TOP) return true;
  if (FLOORS.includes(to)) return !FLOORS.includes(from) || FLOORS.indexOf(to) < FLOORS.indexOf(from);
  return MAY_IMPORT[from]?.includes(to) ?? false;
}

test('every import names a file that exists (so the graph below is the real one)', () => {
  const missing = [...files].flatMap(([file, source]) => source.imports.filter((t) => !files.has(t)).map((t) => `${file} imports ${t}`));
  assert.equal(missing, []);
  assert.ok(files.size > 150, `read the services (${files.size} files)`);
});

test('the files of services/ import each other without a cycle', () => {
  assert.equal(cyclesOf(fileGraph()), [], 'import cycles');
});

test('the areas import each other without a cycle', () => {
  const graph = new Map<string, Set<string>>();
  for (const key of areaEdges().keys()) {
    const [from, to] = key.split(' → ') as [string, string];
    graph.set(from, (graph.get(from) ?? new Set()).add(to));
  }
  assert.equal(cyclesOf(graph), []);
});

test('each area imports only what the area graph allows, and the graph lists every area', () => {
  const areas = new Set([...files.keys()].map(areaOf));
  const listed = new Set([...FLOORS, TOP, ...Object.keys(MAY_IMPORT)]);
  assert.equal([...areas].filter((a) => !listed.has(a)), [], 'areas the graph does not list: add them to MAY_IMPORT');
  assert.equal([...listed].filter((a) => !areas.has(a)), [], 'areas the graph lists that do not exist');
  const refused = [...areaEdges()].filter(([key]) => !mayImport(...(key.split(' → ') as [string, string])));
  assert.equal(refused.map(([key, why]) => `${key}: ${why.join('; ')}`), []);
});

test('the API never loads the sandbox or the seccomp addon, not even through another area', () => {
  const reached = new Set<string>();
  const walk = (file: string): void => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const next of files.get(file)?.imports ?? []) walk(next);
  };
  for (const file of files.keys()) if (areaOf(file) === 'api') walk(file);
  assert.equal([...reached].filter((f) => ['sandbox', 'seccomp'].includes(areaOf(f))), []);
});

test('api/, worker/ and queue/ write no schema of their own: the contract is protocol/\'s', () => {
  const schemaMaker = /\bz\.(?:object|strictObject|looseObject|string|number|int|boolean|enum|literal|array|union|discriminatedUnion|coerce|iso)\b/;
  const writers = [...files].filter(([file, source]) => CONTRACT_USERS.includes(areaOf(file)) && schemaMaker.test(source.text));
  assert.equal(writers.map(([file]) => file), []);
});

test('only intake/ unpacks or packs archives', () => {
  const users = [...files].filter(([file, source]) => areaOf(file) !== 'intake' && source.packages.some((p) => ARCHIVE_LIBRARIES.includes(p)));
  assert.equal(users.map(([file]) => file), []);
  assert.ok([...files].some(([file, source]) => areaOf(file) === 'intake' && source.packages.includes('yauzl')), 'the check sees intake/ import them');
});

test.run();
