// Go (Debian's golang-go): `go build` of every source file as one main package, run on the ELF
// runtime layer of the program. With cgo off the program is static (no PT_INTERP), so that layer
// holds only the mount points and /etc; under TZ=UTC the time package needs no zone file.
import { goPackageName } from './go-source.js';
import { defineLanguage, type Submission } from './language-record.js';
import { SubmissionFault } from './submission-fault.js';

/** A Go program is package main: without it `go build` writes a library archive, not a program. */
function mainPackage(submission: Submission): string {
  if (submission.sources.some((file) => goPackageName(submission.text(file)) === 'main')) return './main';
  throw new SubmissionFault('E_SUBMISSION_NO_MAIN', 'No Go file of the submission declares package main: start the program\'s files with package main.');
}

export const go = defineLanguage({
  name: 'go',
  extensions: ['.go'],
  main: mainPackage,
  // -buildvcs=false: no version-control stamping, so go never runs git on a .git folder a
  // submission brings. Not -trimpath: it would rebuild the standard library Debian ships built
  // (10 s instead of 0.3 s); the only paths recorded are /box's.
  build: (sources) => ['go', 'build', '-buildvcs=false', '-o', 'main', ...sources],
  buildPolicy: 'go',
  buildEnv: {
    // The build cache and GOPATH go to the build's /tmp (thrown away), not /box (handed back).
    GOCACHE: '/tmp/go-build',
    GOPATH: '/tmp/go',
    // Nothing in /box configures the toolchain: no $HOME/.config/go/env (HOME is /box) can add
    // GOFLAGS such as -toolexec (which runs a program of its choice), and GOPATH mode reads no
    // go.mod or go.work, so no module, replace or toolchain line of the submission's is taken.
    GOENV: 'off',
    GO111MODULE: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    // No cgo: `import "C"` is a compile error rather than gcc run with the submission's flags,
    // and the program is static.
    CGO_ENABLED: '0',
    // go, compile and link each start about GOMAXPROCS + 4 threads: bounded whatever the host's
    // CPUs (a build takes 17 to 24 pids here), far under the build's pids limit (256).
    GOMAXPROCS: '4',
  },
  run: (main) => [main],
  // A test's program starts about GOMAXPROCS + 2 threads however many goroutines it runs (4 for 64
  // busy goroutines on 2 CPUs); GOMAXPROCS follows the CPUs the run may use (one on a worker's
  // pinned slot), so far under a test's pids limit (128).
  policy: 'go',
  runtime: { kind: 'elf', binary: 'main' },
  // A grader's checker started as `go run checker.go` (its build cache goes to $HOME, /box).
  programs: /^go$/,
  packages: ['golang-go'],
});
