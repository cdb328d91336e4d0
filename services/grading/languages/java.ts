// Java: javac, then the class that declares main, on a JVM sized to the test's memory limit.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { UserError } from '../../common/errors.js';
import { defineLanguage, type Submission } from './language-record.js';

/** The Java class that declares main(String[]). */
function mainClass({ dir, sources }: Submission): string {
  for (const name of sources) {
    if (/\bstatic\s+void\s+main\s*\(\s*(final\s+)?String/.test(readFileSync(join(dir, name), 'utf8'))) return basename(name, '.java');
  }
  throw new UserError('E_SUBMISSION_NO_MAIN', 'no Java class of the submission declares public static void main(String[] args)');
}

export const java = defineLanguage({
  name: 'java',
  extensions: ['.java'],
  main: mainClass,
  // -proc:none: no annotation processor from the class path (/box, where a submission could put
  // one with its META-INF/services entry) runs during the build.
  build: ({ sources }) => ['javac', '-proc:none', '-encoding', 'UTF-8', '-d', '.', ...sources],
  buildPolicy: 'java',
  run: (main, memoryMb) => ['java', `-Xmx${Math.max(32, Math.floor(memoryMb * 0.6))}m`, '-Xss64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '.', main],
  policy: 'java',
  runtime: { kind: 'host' },
  programs: /^java$/,
  packages: ['openjdk-17-jdk-headless'],
});
