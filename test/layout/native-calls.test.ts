// The C files of each native program call each other without a cycle: read from the object files the
// build made (nm: the symbols each defines, and those it uses that another defines), so what is
// checked is what is linked.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';

const objects = fromPackageRoot('build', 'Release', 'obj.target');

/** The object files of each build target (`gradebox-launch` …), found below its folder. */
function targets(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (target: string, dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(target, path);
      else if (entry.name.endsWith('.o')) found.set(target, [...(found.get(target) ?? []), path]);
    }
  };
  for (const entry of readdirSync(objects, { withFileTypes: true })) if (entry.isDirectory()) walk(entry.name, join(objects, entry.name));
  return found;
}

/** `nm -P`: the global symbols an object file defines and those it leaves undefined. */
function symbols(file: string): { defined: string[]; used: string[] } {
  const lines = execFileSync('nm', ['-P', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const fields = lines.map((line) => line.split(' ') as [string, string]);
  return {
    defined: fields.filter(([, type]) => /^[TDBRVW]$/.test(type)).map(([name]) => name),
    used: fields.filter(([, type]) => type === 'U').map(([name]) => name),
  };
}

/** Which file calls (or reads) which: an edge for every symbol one uses that another defines. */
function callGraph(files: string[]): Map<string, Set<string>> {
  const read = new Map(files.map((file) => [basename(file, '.o'), symbols(file)]));
  const definer = new Map<string, string>();
  for (const [name, { defined }] of read) for (const symbol of defined) definer.set(symbol, name);
  const graph = new Map<string, Set<string>>();
  for (const [name, { used }] of read) {
    graph.set(name, new Set(used.map((s) => definer.get(s)).filter((d): d is string => d !== undefined && d !== name)));
  }
  return graph;
}

/** A path that comes back to where it started, or null. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return null;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

test('the native build is there to read', () => {
  assert.ok(existsSync(objects), `${objects} is missing: npm run build first`);
  assert.ok((targets().get('gradebox-launch') ?? []).length > 10, 'the launcher\'s object files');
});

test('the launcher\'s files call each other as the build says (a sanity check of the reading)', () => {
  const graph = callGraph(targets().get('gradebox-launch')!);
  assert.ok(graph.get('cgroup')?.has('cgroup-v2'), 'cgroup.c dispatches to the v2 backend');
  assert.ok(graph.get('cgroup-v1')?.has('cgroup-files'), 'the v1 backend uses the shared cgroup file helpers');
  assert.ok(graph.get('main')?.has('server'), 'main.c starts the server');
});

test('no native program\'s files call each other in a cycle', () => {
  for (const [target, files] of targets()) {
    assert.is(findCycle(callGraph(files))?.join(' → ') ?? null, null, `${target}: a call cycle`);
  }
});

test.run();
