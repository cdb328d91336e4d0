// Interactive mode's own guarantees, beyond the guess-number example's self-test (which covers a
// submission that stops reading, floods, crashes, spins or waits: test/cli/grader-test-command.test.ts):
// an interactor that hangs or crashes is the grader's fault (IE, bounded in time, never the
// student's verdict), and the interactor is built once per grader digest, then reused.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { config } from '../../services/common/config.js';
import { gradeSubmission } from '../../services/grading/grade.js';
import { loadGrader } from '../../services/grading/load-grader.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

test.after.each(removeTempDirs);

/** An interactive grader of one test whose interactor is `interactor` (Python), with an echoing submission. */
function interactiveGrader(interactor: string): { dir: string; submission: string } {
  const dir = tempDir('gradebox-interactive-');
  mkdirSync(join(dir, 'judge'));
  writeFileSync(join(dir, 'judge', 'interact.py'), interactor);
  writeFileSync(join(dir, '1.in'), '5\n');
  writeFileSync(join(dir, 'grader.yaml'), [
    'language: python',
    'mode: interactive',
    'interactor: { dir: judge }',
    'limits: { cpu_ms: 1000, wall_ms: 2000 }',
    'tests:', '  - { name: one, stdin: 1.in }', '',
  ].join('\n'));
  writeFileSync(join(dir, 'echo.py'), 'import sys\nfor line in sys.stdin:\n    print(line.strip(), flush=True)\n');
  return { dir, submission: join(dir, 'echo.py') };
}

test('an interactor that hangs is IE within its own limits, not the student\'s TLE', async () => {
  const { dir, submission } = interactiveGrader('import time\nwhile True:\n    time.sleep(1)\n');
  const started = performance.now();
  const result = await gradeSubmission({ graderDir: dir, submission });
  assert.ok(performance.now() - started < 30_000, 'the grading ends');
  assert.equal([result.verdict, result.gradable, result.tests[0]!.output], ['IE', false, '']);
  assert.match(result.internal_problems.join('\n'), /the interactor failed/);
});

test('an interactor that crashes is IE; one that talks and exits 42 is AC, built once and reused', async () => {
  const crashed = interactiveGrader('import sys\nsys.exit(1)\n');
  const failed = await gradeSubmission({ graderDir: crashed.dir, submission: crashed.submission });
  assert.equal([failed.verdict, failed.gradable], ['IE', false]);

  const talking = interactiveGrader([
    'import sys',
    'n = open(sys.argv[1]).read().strip()',
    'print(n, flush=True)',
    'sys.exit(42 if sys.stdin.readline().strip() == n else 43)', '',
  ].join('\n'));
  const first = await gradeSubmission({ graderDir: talking.dir, submission: talking.submission });
  assert.equal([first.verdict, first.gradable], ['AC', true], JSON.stringify(first.internal_problems));
  const cache = join(config().stateDir, 'programs', `${loadGrader(talking.dir).digest}-interactor`);
  const builtAt = statSync(join(cache, 'plan.json')).mtimeMs;
  const again = await gradeSubmission({ graderDir: talking.dir, submission: talking.submission });
  assert.is(again.verdict, 'AC');
  assert.is(statSync(join(cache, 'plan.json')).mtimeMs, builtAt, 'the second grading reused the build');
});

test.run();
