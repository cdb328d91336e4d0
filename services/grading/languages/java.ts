// Java: javac into the package tree, then the class that declares main, whatever its file is called
// and in whichever package, on a JVM sized to the test's memory limit.
import { basename } from 'node:path';

import { listed } from '../../common/listed.js';
import { javaDeclarations } from './java-source.js';
import { defineLanguage, type Submission } from './language-record.js';
import { SubmissionFault } from './submission-fault.js';

const MAIN = 'public static void main(String[] args)';

interface MainClass {
  /** The qualified name the JVM runs: `Main`, `contest.sum.Main`. */
  name: string;
  /** The source file that declares it. */
  file: string;
}

function mainClasses(submission: Submission): MainClass[] {
  return submission.sources.flatMap((file) => {
    const { packageName, mainClasses: names } = javaDeclarations(submission.text(file));
    return names.map((name) => ({ name: packageName ? `${packageName}.${name}` : name, file }));
  });
}

/**
 * The class to run: the one that declares main, or among several the one in the entry file
 * (there, the one named like the file when the file holds several).
 */
function mainClass(submission: Submission): string {
  const { entry } = submission;
  const all = mainClasses(submission);
  const candidates = entry === null ? all : all.filter((c) => c.file === entry);
  if (candidates.length === 1) return candidates[0]!.name;
  if (candidates.length === 0) {
    throw new SubmissionFault('E_SUBMISSION_NO_MAIN', entry === null
      ? `No class of the submission declares ${MAIN}: add it to the class the program starts from.`
      : `The entry file ${entry} declares no class with ${MAIN}: name the file whose class the program starts from, or add main to it.`);
  }
  const named = candidates.filter((c) => c.name.split('.').at(-1) === basename(entry ?? '', '.java'));
  if (named.length === 1) return named[0]!.name;
  throw new SubmissionFault('E_SUBMISSION_AMBIGUOUS',
    `Several classes declare ${MAIN}: ${listed(candidates.map((c) => `${c.name} (${c.file})`))}, so it is not clear which one the program starts from: `
    + 'name the entry file when you submit, or keep main in one class only.');
}

export const java = defineLanguage({
  name: 'java',
  extensions: ['.java'],
  main: mainClass,
  // -d .: the classes land in their package tree (contest/sum/Main.class), where `java -cp .`
  // finds the qualified name. -proc:none: no annotation processor from the class path (/box,
  // where a submission could put one with its META-INF/services entry) runs during the build.
  build: (sources) => ['javac', '-proc:none', '-encoding', 'UTF-8', '-d', '.', ...sources],
  buildPolicy: 'java',
  run: (main, memoryMb) => ['java', `-Xmx${Math.max(32, Math.floor(memoryMb * 0.6))}m`, '-Xss64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '.', main],
  policy: 'java',
  runtime: { kind: 'host' },
  programs: /^java$/,
  packages: ['openjdk-17-jdk-headless'],
});
