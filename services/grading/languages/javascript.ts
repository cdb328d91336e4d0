// JavaScript on Node.js, ES modules (.mjs, or .js under a package.json "type": "module", or .js
// that uses import/export) and CommonJS (.cjs, .js) alike: node decides each file's kind by its own
// rules, at the build and at the run. The build checks the syntax of every file, so a syntax error
// in a file the entry never loads is still a compile error (as judges do); it runs nothing.
import { entryFile } from './entry-file.js';
import { defineLanguage } from './language-record.js';

/**
 * gradebox's own script (passed with -e, never a file of the submission): `node --check` on each
 * file named after it, one node per file since --check takes one, every error told, node's
 * version line and its own stack frames left out.
 */
const CHECK_EACH = `
const { spawnSync } = require('node:child_process');
let failed = false;
for (const file of process.argv.slice(1)) {
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
  if (check.status === 0) continue;
  failed = true;
  const told = (check.stderr || String(check.error || check.signal)).split('\\n');
  process.stderr.write(told.filter((line) => !/^\\s+at .*node:internal|^Node\\.js v/.test(line)).join('\\n').trimEnd() + '\\n\\n');
}
process.exitCode = failed ? 1 : 0;
`;

export const javascript = defineLanguage({
  name: 'javascript',
  extensions: ['.js', '.mjs', '.cjs'],
  main: (submission): string => entryFile(submission, javascript),
  build: (sources) => ['node', '-e', CHECK_EACH, ...sources],
  buildPolicy: 'node',
  run: (main) => ['node', main],
  policy: 'node',
  runtime: { kind: 'host' },
  programs: /^node$/,
  // Node.js is gradebox's own runtime: install.sh requires it rather than installing it.
  packages: [],
});
