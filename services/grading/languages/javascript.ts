// JavaScript on Node.js: the build only checks the entry file's syntax (node --check runs nothing).
import { entryFile } from './entry-file.js';
import { defineLanguage } from './language-record.js';

export const javascript = defineLanguage({
  name: 'javascript',
  extensions: ['.js', '.mjs'],
  main: (submission): string => entryFile(submission, javascript),
  build: (_submission, main) => ['node', '--check', main],
  buildPolicy: 'node',
  run: (main) => ['node', main],
  policy: 'node',
  runtime: { kind: 'host' },
  programs: /^node$/,
  // Node.js is gradebox's own runtime: install.sh requires it rather than installing it.
  packages: [],
});
