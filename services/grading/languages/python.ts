// Python 3: the sources are the program; the build only compiles them, so a syntax error in any of
// them is a compile error, told before any test runs.
import { entryFile } from './entry-file.js';
import { defineLanguage } from './language-record.js';

export const python = defineLanguage({
  name: 'python',
  extensions: ['.py'],
  main: (submission): string => entryFile(submission, python),
  // -I (isolated): /box is not on sys.path, so a submitted py_compile.py (or any module
  // py_compile imports) is never run.
  build: (sources) => ['python3', '-I', '-m', 'py_compile', ...sources],
  buildPolicy: 'python',
  run: (main) => ['python3', main],
  policy: 'python',
  runtime: { kind: 'host' },
  programs: /^python3?(\.\d+)?$/,
  packages: ['python3'],
});
