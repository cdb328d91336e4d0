// The verdict rules, one by one: every run status has its verdict and only RE and SV tell the
// student anything; a checker's exit codes; an unbuilt submission; the overall verdict; gradable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { FEEDBACK_BYTES, testResult } from '../../services/grading/grade-result.js';
import type { TestResult, Verdict } from '../../services/protocol/grade-result.js';
import {
  checkerVerdict, failedRunVerdict, interactiveVerdict, isFailedRun, isGradable, kattisVerdict, overallVerdict, reportedVerdict, testlibVerdict, unbuiltVerdict,
} from '../../services/grading/verdicts.js';
import { RUN_STATUSES, type RunStatus } from '../../services/sandbox/outcome.js';
import type { RunResult } from '../../services/sandbox/sandbox.js';

function runOf(status: RunStatus, more: Partial<RunResult> = {}): RunResult {
  return {
    status, exit_code: status === 'ok' ? 0 : 1, signal: null, cpu_ms: 1, wall_ms: 2, memory_kb: 3,
    stdout: 'the answer', stderr: 'Traceback: /box/main.py line 3', stdout_truncated: false, stderr_truncated: false,
    violation: status === 'violation' ? { syscall: 'ptrace', nr: 101, arch: 'x86_64', pid: 7, args: [], host_pid: 1234, cmdline: './main', proc_status: '', fds: [] } : null,
    incident: null, ...more,
  };
}

test('every status but ok is a failed run with its verdict; only RE shows stderr and only SV names the call', () => {
  const expected: Record<Exclude<RunStatus, 'ok'>, [Verdict, string]> = {
    runtime_error: ['RE', 'Traceback: /box/main.py line 3'], time_limit: ['TLE', ''], wall_time_limit: ['TLE', ''],
    memory_limit: ['MLE', ''], output_limit: ['OLE', ''], violation: ['SV', 'forbidden system call ptrace'], internal_error: ['IE', ''],
  };
  assert.is(isFailedRun(runOf('ok')), false);
  for (const status of RUN_STATUSES.filter((s): s is Exclude<RunStatus, 'ok'> => s !== 'ok')) {
    const run = runOf(status);
    assert.ok(isFailedRun(run), status);
    const { verdict, feedback } = failedRunVerdict(run);
    assert.equal([verdict, feedback], expected[status], status);
  }
});

test('a runtime error\'s stderr is capped for the student', () => {
  const run = runOf('runtime_error', { stderr: 'x'.repeat(FEEDBACK_BYTES + 10) });
  assert.ok(isFailedRun(run));
  const { feedback } = failedRunVerdict(run);
  assert.ok(feedback.startsWith('x'.repeat(FEEDBACK_BYTES)) && feedback.endsWith(`[… cut at ${FEEDBACK_BYTES} bytes]`), feedback.slice(-40));
});

test('a checker accepts with exit 0 and rejects with exit 1; anything else is its own failure', () => {
  assert.is(checkerVerdict(runOf('ok')), 'AC');
  assert.is(checkerVerdict(runOf('runtime_error', { exit_code: 1 })), 'WA');
  assert.is(checkerVerdict(runOf('runtime_error', { exit_code: 2 })), 'IE');
  assert.is(checkerVerdict(runOf('runtime_error', { exit_code: null, signal: 11 })), 'IE');
  for (const status of ['time_limit', 'memory_limit', 'violation', 'internal_error'] as const) assert.is(checkerVerdict(runOf(status)), 'IE', status);
});

const exited = (code: number, more: Partial<RunResult> = {}): RunResult => (code === 0 ? runOf('ok', more) : runOf('runtime_error', { exit_code: code, ...more }));

test('testlib\'s exit codes: 0 OK, 1 WA, 2 PE and 8 unexpected EOF are WA, 3 FAIL is the checker\'s failure, 7 points a share', () => {
  assert.equal([0, 1, 2, 4, 8].map((code) => testlibVerdict(exited(code)).verdict), ['AC', 'WA', 'WA', 'WA', 'WA']);
  assert.match(testlibVerdict(exited(3)).why ?? '', /reported FAIL \(exit code 3\)/);
  assert.is(testlibVerdict(exited(3)).verdict, 'IE');
  // quitp writes "points 0.25 ..." to stderr; a checker may print the share on stdout instead.
  assert.equal(testlibVerdict(exited(7, { stderr: 'points 0.25 two of eight pairs', stdout: '' })), { verdict: 'WA', share: 0.25 });
  assert.equal(testlibVerdict(exited(7, { stderr: '', stdout: '1\n' })), { verdict: 'AC', share: 1 });
  for (const stdout of ['', '1.5', '-0.1', 'half']) assert.is(testlibVerdict(exited(7, { stderr: '', stdout })).verdict, 'IE', JSON.stringify(stdout));
  assert.is(testlibVerdict(exited(5)).verdict, 'IE');
  assert.is(testlibVerdict(runOf('runtime_error', { exit_code: null, signal: 9 })).verdict, 'IE');
  assert.is(testlibVerdict(runOf('time_limit')).verdict, 'IE');
});

test('a Kattis output validator: 42 accepts, 43 rejects, anything else (0 too) is its failure', () => {
  assert.equal([42, 43, 0, 1].map((code) => kattisVerdict(exited(code)).verdict), ['AC', 'WA', 'IE', 'IE']);
});

test('an interactive test: the interactor decides, unless the submission met a limit, broke a rule or crashed by itself', () => {
  const judge = (interactor: RunResult, submission: RunResult, submissionCut = false) => interactiveVerdict({ interactor, submission, submissionCut }).verdict;
  assert.is(judge(exited(42), runOf('ok')), 'AC');
  assert.is(judge(exited(43), runOf('ok')), 'WA');
  assert.is(judge(exited(1), runOf('ok')), 'IE', 'the interactor failing is never the student\'s');
  assert.is(judge(exited(43), runOf('time_limit')), 'TLE', 'a limit the submission met is its own');
  assert.is(judge(exited(43), runOf('output_limit')), 'OLE');
  assert.is(judge(exited(43), runOf('violation')), 'SV');
  assert.is(judge(exited(42), runOf('runtime_error', { exit_code: 3 })), 'RE', 'accepted answers, then a crash');
  assert.is(judge(exited(43), runOf('runtime_error', { exit_code: 3 })), 'RE', 'a crash of its own');
  assert.is(judge(exited(43), runOf('runtime_error', { exit_code: null, signal: 13 })), 'WA', 'SIGPIPE after the interactor had ended');
  assert.is(judge(exited(43), runOf('runtime_error', { stderr: 'BrokenPipeError: [Errno 32] Broken pipe' })), 'WA');
  assert.is(judge(exited(42), runOf('ok'), true), 'TLE', 'still running after an accepted interaction');
  assert.is(judge(exited(43), runOf('ok'), true), 'WA');
});

test('a harness\'s report, an unbuilt submission', () => {
  assert.equal([reportedVerdict('passed'), reportedVerdict('failed')], ['AC', 'WA']);
  assert.equal([unbuiltVerdict({ internalError: false }), unbuiltVerdict({ internalError: true })], ['CE', 'IE']);
});

function tests(...verdicts: Verdict[]): TestResult[] {
  return verdicts.map((verdict, i) => testResult({ name: String(i), points: 1, visibility: 'visible' }, verdict, '', null));
}

test('the overall verdict is the first test that is not AC; a grading with an IE test is not gradable', () => {
  assert.is(overallVerdict(tests('AC', 'AC')), 'AC');
  assert.is(overallVerdict(tests('AC', 'TLE', 'WA')), 'TLE');
  assert.is(overallVerdict(tests()), 'AC');
  assert.is(isGradable(tests('AC', 'WA', 'SV')), true);
  assert.is(isGradable(tests('AC', 'IE')), false);
});

test.run();
