// The verdict rules, one by one: every run status has its verdict and only RE and SV tell the
// student anything; a checker's exit codes; an unbuilt submission; the overall verdict; gradable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { FEEDBACK_BYTES, testResult } from '../../services/grading/grade-result.js';
import type { TestResult, Verdict } from '../../services/protocol/grade-result.js';
import { checkerVerdict, failedRunVerdict, isFailedRun, isGradable, overallVerdict, reportedVerdict, unbuiltVerdict } from '../../services/grading/verdicts.js';
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
