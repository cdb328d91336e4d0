// Kattis problem packages through the real service: each example package imported with
// `gradebox import kattis`, added as an assignment, and submissions uploaded over the API graded
// by the workers (the custom validator and the interactor built in the worker's sandbox): the
// verdicts their folders name, and the secret cases reveal nothing but their score.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { fromPackageRoot } from '../../services/common/package-root.js';
import { CLI, startLocalService, type LocalService } from '../../services/bench/local-service.js';
import { uploadSubmission, waitUntilGraded } from '../../services/bench/portal-client.js';
import { removeTempDirs, tempDir } from '../support/helpers.js';

const PACKAGES = fromPackageRoot('graders', 'kattis');

let service: LocalService;

test.before(async () => {
  service = await startLocalService({ workers: 2 });
});
test.after(async () => {
  await service?.stop();
  removeTempDirs();
});

function gradebox(argv: string[]): string {
  return execFileSync(process.execPath, [CLI, ...argv], { encoding: 'utf8' });
}

/** Submissions from each package's submissions/, with the verdict their folder names. */
const SUBMISSIONS: Record<string, string[]> = {
  'circle-area': ['accepted/area.py', 'wrong_answer/two_decimals.py'],
  'factor-pair': ['accepted/factor.c', 'wrong_answer/one_times_n.py'],
  'guess-number': ['accepted/binary_search.py', 'wrong_answer/linear_scan.c', 'time_limit_exceeded/waits_silently.py'],
};
const FOLDER_VERDICT: Record<string, string> = { accepted: 'AC', wrong_answer: 'WA', time_limit_exceeded: 'TLE' };

test('the example packages, imported and added as assignments, grade uploads with the verdicts their folders name', async () => {
  const out = tempDir('gradebox-kattis-svc-');
  for (const name of Object.keys(SUBMISSIONS)) {
    assert.match(gradebox(['import', 'kattis', join(PACKAGES, name), '--out', join(out, name)]), /next: gradebox grader test/);
    assert.match(gradebox(['assignments', 'add', '--course', 'demo', '--name', name, '--grader', join(out, name), '--data', service.dataDir]), new RegExp(`assignment ${name} of course demo`));
  }
  const pending: Array<{ label: string; id: string; verdict: string }> = [];
  for (const [name, programs] of Object.entries(SUBMISSIONS)) {
    for (const program of programs) {
      const source = readFileSync(join(PACKAGES, name, 'submissions', program));
      const sent = await uploadSubmission(service, { assignment: name, student: 'k1' }, { [basename(program)]: source });
      assert.is(sent.status, 202, JSON.stringify(sent.body));
      pending.push({ label: `${name}/${program}`, id: sent.body.id!, verdict: FOLDER_VERDICT[program.split('/')[0]!]! });
    }
  }
  for (const { label, id, verdict } of pending) {
    const done = await waitUntilGraded(service, id, 300_000);
    assert.is(done.status, 'graded', `${label}: ${JSON.stringify(done)}`);
    assert.is(done.result.verdict, verdict, `${label}: ${JSON.stringify(done.result.tests)}`);
    assert.is(done.result.gradable, true, label);
    if (verdict === 'AC') assert.is(done.result.score, done.result.max_score, label);
    const [sample, ...secret] = done.result.tests as Array<Record<string, unknown>>;
    assert.is(sample!.name, 'sample/1', label);
    assert.is(sample!.visibility, 'visible', label);
    for (const t of secret) assert.equal([t.visibility, Object.keys(t).sort()], ['hidden', ['max_score', 'name', 'score', 'status', 'visibility']], label);
  }
});

test.run();
