// C++: g++, every source file into one program, run on the ELF runtime layer of that program.
import { defineLanguage } from './language-record.js';

export const cpp = defineLanguage({
  name: 'cpp',
  extensions: ['.cc', '.cpp', '.cxx'],
  main: () => './main',
  build: (sources) => ['g++', '-O2', '-std=gnu++17', '-o', 'main', ...sources, '-lm'],
  buildPolicy: 'compile',
  run: (main) => [main],
  policy: 'default',
  runtime: { kind: 'elf', binary: 'main' },
  packages: ['g++'],
});
