// The service's overhead, measured in one run: N submissions uploaded to a local `gradebox start`
// (API, queue, 2 workers) until all are graded, versus grading the same N directly (gradebox
// grade's pipeline, 2 at a time on the same CPU slots as the 2 workers). The ratio is what the
// queue and API add.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { inPool } from '../common/in-pool.js';
import { gradeSubmission } from '../grading/grade.js';
import { CpuSlots, defaultCpus } from '../worker/cpu-slots.js';
import { CLI, startLocalService } from './local-service.js';
import { uploadSubmission, waitUntilGraded } from './portal-client.js';

export const ECHO_SUBMISSION = 'print(f"hello, {input()}")\n';

/** A one-test Python grader, so a burst measures the service rather than a compiler. */
export function writeEchoGrader(dir: string): string {
  mkdirSync(join(dir, 'tests'), { recursive: true });
  writeFileSync(join(dir, 'grader.yaml'), 'language: python\ntests:\n  - stdin: tests/1.in\n    expect: tests/1.out\n');
  writeFileSync(join(dir, 'tests', '1.in'), 'gradebox\n');
  writeFileSync(join(dir, 'tests', '1.out'), 'hello, gradebox\n');
  return dir;
}

export interface ServiceBench {
  submissions: number;
  service_s: number;
  submissions_per_s: number;
  direct_s: number;
  /** service ÷ direct; the target is at most 1.15. */
  ratio_service_to_direct: number;
}

export async function benchService(submissions = 100): Promise<ServiceBench> {
  const service = await startLocalService({ workers: 2 });
  const scratch = mkdtempSync(join(tmpdir(), 'gradebox-bench-'));
  try {
    const grader = writeEchoGrader(join(service.dataDir, 'echo-grader'));
    execFileSync(process.execPath, [CLI, 'assignments', 'add', '--course', 'demo', '--name', 'echo', '--grader', grader, '--data', service.dataDir]);
    // Warm-up, as the direct grading below gets: the worker's grader cache, the API's first requests.
    for (let i = 0; i < 4; i++) {
      const sent = await uploadSubmission(service, { assignment: 'echo', student: `warm${i}` }, { 'main.py': ECHO_SUBMISSION });
      await waitUntilGraded(service, sent.body.id!, 120_000);
    }
    const ids: string[] = [];
    const t0 = Date.now();
    await inPool(submissions, 8, async (i) => {
      const sent = await uploadSubmission(service, { assignment: 'echo', student: `s${i}` }, { 'main.py': ECHO_SUBMISSION });
      if (sent.status !== 202) throw new Error(`upload refused: ${JSON.stringify(sent.body)}`);
      ids.push(sent.body.id!);
    });
    // The service's own clock says when each was graded; polling (gently, as a portal would) only
    // learns that they all are, so neither the poll interval nor the polls count in the time.
    let lastGraded = t0;
    for (const id of ids) {
      const graded = await waitUntilGraded(service, id, 600_000, 500);
      lastGraded = Math.max(lastGraded, Date.parse(graded.updated_at));
    }
    const serviceSeconds = (lastGraded - t0) / 1000;

    const file = join(scratch, 'main.py');
    writeFileSync(file, ECHO_SUBMISSION);
    const slots = new CpuSlots(defaultCpus(), 2); // as the workers pin their jobs
    const t1 = performance.now();
    await inPool(submissions, 2, async () => {
      const cpuset = slots.take();
      try {
        await gradeSubmission({ graderDir: grader, submission: file, cpuset });
      } finally {
        slots.give(cpuset);
      }
    });
    const directSeconds = (performance.now() - t1) / 1000;
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      submissions, service_s: round(serviceSeconds), submissions_per_s: round(submissions / serviceSeconds),
      direct_s: round(directSeconds), ratio_service_to_direct: round(serviceSeconds / directSeconds),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await service.stop();
  }
}
