// What gradebox knows about one language, as one record: adding a language is a record (a file
// beside this one, listed in registry.ts), its seccomp policy in policies/ and its packages in
// infra/install.sh. Policy in TypeScript: which commands, which policies, which runtime.

/** A submission as a language sees it when it plans the build and the runs. */
export interface Submission {
  /** Its source files of this language, top level only, sorted. */
  sources: string[];
  /** The entry file named by the grader or the submission, one of `sources` (plan.ts checks); null: none named. */
  entry: string | null;
  /** A source file's text, read on the host (a Java class's declarations), never run. */
  text(source: string): string;
}

/**
 * Where the tests run: `host`, the default root (the host's /usr allowlist: interpreters, the JDK);
 * `elf`, a layer of just the ELF interpreter and libraries of the built program `./<binary>`
 * (services/sandbox/elf-runtime.ts), used when a test runs exactly that program.
 */
export type LanguageRuntime = { kind: 'host' } | { kind: 'elf'; binary: string };

export interface LanguageRecord<Name extends string = string> {
  /** What grader.yaml's `language:` says. */
  name: Name;
  /** Its source files' extensions; the first is the one messages suggest (main.EXT). */
  extensions: readonly string[];
  /**
   * The entry point as a command names it: what a test runs, and what `{main}` means in a grader's
   * own commands (`main.py`, a Java class, `./main`). Throws a SubmissionFault when the submission has none, or several.
   */
  main(submission: Submission): string;
  /**
   * The build command, run once in /box, given the source files; null: nothing to build. A default
   * build runs none of the student's code.
   */
  build(sources: string[]): string[] | null;
  /** Seccomp policy of the build (policies/NAME.yaml). */
  buildPolicy: string;
  /** Added to the canonical environment of the build only (a toolchain's cache in /tmp, say). */
  buildEnv?: Readonly<Record<string, string>>;
  /** How each test runs the program, in /box; `memoryMb` is the largest memory limit of a test. */
  run(main: string, memoryMb: number): string[];
  /** Seccomp policy of the test runs (policies/NAME.yaml). */
  policy: string;
  runtime: LanguageRuntime;
  /**
   * A grader's own program (a custom checker, a harness runner) runs under `policy` when the
   * program its command starts is named like this (`python3 checker.py`); none: never.
   */
  programs?: RegExp;
  /** Debian packages of its toolchain and runtime: infra/install.sh installs each (a test checks). */
  packages: readonly string[];
}

/** Keeps the record's name as a literal type, so the registry can list the names as a union. */
export function defineLanguage<const Name extends string>(record: LanguageRecord<Name>): LanguageRecord<Name> {
  return record;
}
