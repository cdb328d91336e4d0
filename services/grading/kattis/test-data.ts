// A Kattis package's test cases: every `.in` under data/sample and data/secret (test data groups
// are folders, walked in the lexicographic order of their names, as the format orders them) with
// its `.ans`. Samples are shown to students; secret cases are hidden.
import { join } from 'node:path';

import { UserError } from '../../common/errors.js';
import { entriesOf, kindOf, MAX_DEPTH } from './package-files.js';

export interface TestCase {
  /** Its path under data/ without `.in`: sample/1, secret/group1/03. */
  name: string;
  /** Paths relative to the package. */
  input: string;
  answer: string | undefined;
  secret: boolean;
}

function casesIn(root: string, group: string, interactive: boolean, depth: number): TestCase[] {
  if (depth > MAX_DEPTH) throw new UserError('E_KATTIS_INVALID', `${join(root, group)}: test data groups nested deeper than ${MAX_DEPTH}`);
  return entriesOf(root, group).flatMap((name) => {
    const rel = join(group, name);
    const kind = kindOf(root, rel);
    if (kind === 'folder') return name.endsWith('.files') ? [] : casesIn(root, rel, interactive, depth + 1);
    if (!name.endsWith('.in')) return [];
    const stem = rel.slice(0, -'.in'.length);
    const answer = kindOf(root, `${stem}.ans`) === 'file' ? `${stem}.ans` : undefined;
    // An interactive case's answer is for the interactor only, and may be left out.
    if (!answer && !interactive) throw new UserError('E_KATTIS_INVALID', `${join(root, rel)} has no ${name.slice(0, -3)}.ans beside it; every test input needs its answer file`);
    return [{ name: stem.slice('data/'.length), input: rel, answer, secret: group.startsWith(join('data', 'secret')) }];
  });
}

export function testCases(root: string, interactive: boolean): TestCase[] {
  const cases = [...casesIn(root, join('data', 'sample'), interactive, 0), ...casesIn(root, join('data', 'secret'), interactive, 0)];
  if (!cases.some((c) => c.secret)) throw new UserError('E_KATTIS_INVALID', `${root}: no test case in data/secret; a problem package has at least one (x.in with x.ans)`);
  return cases;
}
