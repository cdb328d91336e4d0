// Time to feedback: a grader that stops at the first failing test reports the rest as not run (a
// submission that hangs on 40 tests costs one time limit, not forty), and the tests of one
// submission run on idle CPU slots at once, a slot going back to a waiting job first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { NOT_RUN_FEEDBACK } from '../../services/grading/grade-result.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { runScheduled, type SpareCpus } from '../../services/grading/test-schedule.js';
import { sandboxesClosed } from '../../services/sandbox/launcher.js';
import { CpuSlots } from '../../services/worker/cpu-slots.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(async () => {
  await sandboxesClosed();
  removeTempDirs();
});

/** A Python grader with `count` tests (input i, expected output i), its limits, and stop_on_failure if asked. */
function pythonGrader(count: number, limits: string, stopOnFailure: boolean): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'tests'));
  for (let i = 0; i < count; i++) {
    const name = String(i).padStart(2, '0');
    writeFileSync(join(dir, 'tests', `${name}.in`), `${i}\n`);
    writeFileSync(join(dir, 'tests', `${name}.out`), `${i}\n`);
  }
  writeFileSync(join(dir, 'grader.yaml'), `language: python\nlimits: ${limits}\n${stopOnFailure ? 'stop_on_failure: true\n' : ''}tests:\n  - glob: tests/*.in\n`);
  return dir;
}

function submission(source: string): string {
  const file = join(tempDir(), 'solution.py');
  writeFileSync(file, source);
  return file;
}

/** A set of slots with `taken` of them in use elsewhere; what the grading borrowed is recorded. */
function spareOf(slots: CpuSlots, borrowed: string[]): SpareCpus {
  return { borrow: () => { const cpu = slots.tryAcquire(); if (cpu !== undefined) borrowed.push(cpu); return cpu; }, giveBack: (cpu) => slots.release(cpu) };
}

test('stop_on_failure: a submission that hangs on 40 tests is graded in about one time limit; the rest are not run', async () => {
  const grader = pythonGrader(40, '{ cpu_ms: 500, wall_ms: 1500 }', true);
  const slots = new CpuSlots(['0', '1'], 2);
  const result = await gradeSubmission({ graderDir: grader, submission: submission('while True:\n    pass\n'), cpuset: slots.tryAcquire(), spareCpus: slots.asSpare() });
  assert.is(result.verdict, 'TLE');
  assert.is(result.tests.length, 40);
  assert.is(result.tests[0]!.verdict, 'TLE');
  for (const t of result.tests.slice(1)) {
    assert.equal([t.status, t.verdict, t.score, t.max_score, t.output], ['not_run', null, 0, 1, NOT_RUN_FEEDBACK], t.name);
  }
  assert.is(result.score, 0);
  assert.is(result.max_score, 40);
  assert.ok(result.gradable, 'tests not run do not make a grading ungradable');
  // Forty time limits would be 20 s of CPU (60 s of wall); one is 0.5 s, a few with the sandbox's
  // start and a loaded machine.
  assert.ok(result.execution_time < 6, `graded in ${result.execution_time} s`);
});

test('stop_on_failure: the tests before the first failure run and count; without it every test runs', async () => {
  const grader = pythonGrader(6, '{ cpu_ms: 2000, wall_ms: 5000 }', true);
  // Right for inputs below 3, wrong from 3 on: tests 00-02 pass, 03 fails, 04-05 are not run.
  const source = 'n = int(input())\nprint(n if n < 3 else -1)\n';
  const stopped = await gradeSubmission({ graderDir: grader, submission: submission(source) });
  assert.equal(stopped.tests.map((t) => t.status), ['passed', 'passed', 'passed', 'failed', 'not_run', 'not_run']);
  assert.is(stopped.verdict, 'WA');
  assert.is(stopped.score, 3);
  const all = await gradeSubmission({ graderDir: pythonGrader(6, '{ cpu_ms: 2000, wall_ms: 5000 }', false), submission: submission(source) });
  assert.equal(all.tests.map((t) => t.verdict), ['AC', 'AC', 'AC', 'WA', 'WA', 'WA']);
});

test('tests of one submission run on idle slots at once, each pinned to its own slot', async () => {
  const grader = pythonGrader(4, '{ cpu_ms: 2000, wall_ms: 5000 }', false);
  const source = 'import time\nn = int(input())\ntime.sleep(1)\nprint(n)\n';
  const slots = new CpuSlots(['0', '1'], 2);
  const own = slots.tryAcquire();
  const borrowed: string[] = [];
  const result = await gradeSubmission({ graderDir: grader, submission: submission(source), cpuset: own, spareCpus: spareOf(slots, borrowed) });
  assert.is(result.verdict, 'AC');
  assert.ok(borrowed.length > 0 && borrowed.every((cpu) => cpu === '1'), `borrowed the idle slot: ${borrowed.join(',')}`);
  assert.is(slots.tryAcquire(), '1', 'the borrowed slot was given back');
  // Four tests of one second each: four seconds one at a time, two on two slots.
  assert.ok(result.execution_time < 3.6, `graded in ${result.execution_time} s`);
});

test('runScheduled: a later test that fails first does not stop an earlier one, which decides', async () => {
  const order: string[] = [];
  const spare: SpareCpus = { borrow: () => 'b', giveBack: () => {} };
  // Test 1 fails at once; test 0 is still running and fails too: test 0 is the first failure.
  const results = await runScheduled(4, { ownCpu: 'a', spare, stopOnFailure: true }, async (index, cpu, signal) => {
    order.push(`${index}@${cpu}`);
    await sleep(index === 0 ? 50 : 5, undefined, { signal }).catch(() => {});
    return { result: signal.aborted ? 'cancelled' : `ran ${index}`, failed: index <= 1 };
  });
  assert.equal(results, ['ran 0', undefined, undefined, undefined]);
  assert.ok(order.includes('0@a') && order.includes('1@b'), order.join(' '));
});

test('runScheduled: a borrowed slot goes back after each test, to a job waiting for it first', async () => {
  const slots = new CpuSlots(['0', '1'], 2);
  const own = await slots.acquire();
  const borrowed: string[] = [];
  let waiterGot: string | undefined;
  const results = await runScheduled(4, { ownCpu: own, spare: spareOf(slots, borrowed), stopOnFailure: false }, async (index) => {
    // Once test 1 runs on the borrowed slot, another job asks for one: it gets that slot when test 1 ends.
    if (index === 1) void slots.acquire().then((cpu) => { waiterGot = cpu; });
    await sleep(10);
    return { result: index, failed: false };
  });
  assert.equal(results, [0, 1, 2, 3]);
  assert.is(waiterGot, '1');
  assert.equal(borrowed, ['1'], 'borrowed once, then the slot went to the waiting job');
});

test('runScheduled: an internal failure ends the schedule once the running tests are done', async () => {
  let running = 0;
  const failure = await runScheduled(5, { ownCpu: undefined, spare: { borrow: () => 'x', giveBack: () => {} }, stopOnFailure: false }, async (index, _cpu, signal) => {
    running++;
    try {
      if (index === 1) throw new Error('sandbox failed');
      await sleep(30, undefined, { signal }).catch(() => {});
      return { result: index, failed: false };
    } finally {
      running--;
    }
  }).then(() => null, (error: unknown) => error);
  assert.instance(failure, Error);
  assert.is(running, 0, 'no test still running when the failure is reported');
});

test.run();
