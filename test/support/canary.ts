// A root-owned folder outside gradebox's own temp folders whose every detail is remembered: the
// attack tests point the links they plant here, so a write through one shows as a change.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';

import { tempDir } from './helpers.js';

export interface Canary {
  /** The folder; a link to it (or into it) is what an attack plants. */
  dir: string;
  /** Fails the test if anything in the folder was created, removed or changed since it was made. */
  assertUntouched(): void;
}

/** Names, types, sizes, modes, mtimes and contents of everything under `dir`, in order. */
function describe(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    const line = `${name} ${st.mode} ${st.size} ${st.mtimeMs} ${st.uid}`;
    if (st.isDirectory()) return [line, ...describe(path).map((inner) => `${name}/${inner}`)];
    return [`${line} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`];
  });
}

export function makeCanary(): Canary {
  const dir = tempDir('gradebox-canary-');
  writeFileSync(join(dir, 'canary.txt'), 'nothing may change here\n');
  mkdirSync(join(dir, 'inner'));
  writeFileSync(join(dir, 'inner', 'words.txt'), 'the canary\'s own words\n');
  const before = [`. ${lstatSync(dir).mtimeMs}`, ...describe(dir)];
  return {
    dir,
    assertUntouched() {
      assert.equal([`. ${lstatSync(dir).mtimeMs}`, ...describe(dir)], before, `something was written in ${dir}`);
    },
  };
}
