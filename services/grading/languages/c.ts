// C: gcc, every source file into one program, run on the ELF runtime layer of that program.
import { defineLanguage } from './language-record.js';

export const c = defineLanguage({
  name: 'c',
  extensions: ['.c'],
  main: () => './main',
  build: (sources) => ['gcc', '-O2', '-std=gnu17', '-o', 'main', ...sources, '-lm'],
  buildPolicy: 'compile',
  run: (main) => [main],
  policy: 'default',
  runtime: { kind: 'elf', binary: 'main' },
  packages: ['gcc'],
});
