// The service's overhead, measured in one run: submissions uploaded to a local `gradebox start`
// (API, queue, 2 workers; its store SQLite, or PostgreSQL on this machine) until all are graded, versus grading as many directly (gradebox grade's
// pipeline, 2 at a time on the same CPU slots as the 2 workers), in alternating rounds. The ratio
// is what the queue and API add.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { lookUpServiceUser } from '../account/service-user.js';
import { config } from '../common/config.js';
import { inPool } from '../common/in-pool.js';
import { gradeSubmission } from '../grading/grade.js';
import { CpuSlots, defaultCpus } from '../worker/cpu-slots.js';
import { CLI, startLocalService } from './local-service.js';
import { startPrivatePostgres } from './private-postgres.js';
import { uploadSubmission, waitUntilGraded, type PortalAccess } from './portal-client.js';

export type StoreKind = 'sqlite' | 'postgres';

/** Submissions graded each way before anything is timed (see {@link benchService}). */
const WARM_UP = 300;

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
  /** The store the API kept: SQLite in its data folder, or a PostgreSQL server on this machine (durable, as SQLite is). */
  store: StoreKind;
  submissions: number;
  /** Service and direct phases alternate, so a slow spell of the machine weighs on both alike. */
  rounds: number;
  service_s: number;
  submissions_per_s: number;
  direct_s: number;
  /** service ÷ direct; the target is at most 1.15. */
  ratio_service_to_direct: number;
}

/** The echo submission of one student: a comment makes each one's bytes, and so its stored blob, its own. */
function echoSubmission(student: string): string {
  return `# ${student}\n${ECHO_SUBMISSION}`;
}

/**
 * Uploads one submission per student (8 at a time) and waits until all are graded; returns the
 * time from the first upload to the service's own graded time of the last one. Polling (gently,
 * as a portal would) only learns that they all are, so neither the poll interval nor the polls count.
 */
async function serviceRound(service: PortalAccess, students: string[]): Promise<number> {
  const ids: string[] = [];
  const t0 = Date.now();
  await inPool(students.length, 8, async (i) => {
    const student = students[i]!;
    const sent = await uploadSubmission(service, { assignment: 'echo', student }, { 'main.py': echoSubmission(student) });
    if (sent.status !== 202) throw new Error(`upload refused: ${JSON.stringify(sent.body)}`);
    ids.push(sent.body.id!);
  });
  // The last one sent is among the last graded: the others are mostly read once it is.
  await waitUntilGraded(service, ids.at(-1)!, 600_000, 500);
  let lastGraded = t0;
  for (const id of ids) {
    const graded = await waitUntilGraded(service, id, 600_000, 500);
    lastGraded = Math.max(lastGraded, Date.parse(graded.updated_at));
  }
  return lastGraded - t0;
}

/** Grades the same students' submissions directly, 2 at a time on the CPU slots the workers pin to; ms. */
async function directRound(grader: string, scratch: string, slots: CpuSlots, students: string[]): Promise<number> {
  const files = students.map((student) => {
    const file = join(scratch, `${student}.py`);
    writeFileSync(file, echoSubmission(student));
    return file;
  });
  const t0 = performance.now();
  await inPool(files.length, 2, async (i) => {
    await slots.use((cpuset) => gradeSubmission({ graderDir: grader, submission: files[i]!, cpuset }));
  });
  return performance.now() - t0;
}

/** `count` student names starting with `label`. */
function studentsOf(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${label}-${i}`);
}

/** A private PostgreSQL server and a database on it for the service, or none for SQLite. */
async function databaseFor(store: StoreKind): Promise<{ env: NodeJS.ProcessEnv; stop: () => Promise<void> }> {
  if (store === 'sqlite') return { env: {}, stop: async () => {} };
  const server = await startPrivatePostgres(lookUpServiceUser(config().serviceUser), { durable: true });
  return { env: { DATABASE_URL: await server.createDatabase() }, stop: () => server.stop() };
}

export async function benchService(perRound = 50, rounds = 8, warmUp = WARM_UP, store: StoreKind = 'sqlite'): Promise<ServiceBench> {
  const database = await databaseFor(store);
  try {
    return await benchServiceOn(database.env, store, perRound, rounds, warmUp);
  } finally {
    await database.stop();
  }
}

async function benchServiceOn(storeEnv: NodeJS.ProcessEnv, store: StoreKind, perRound: number, rounds: number, warmUp: number): Promise<ServiceBench> {
  // One client floods the service on purpose: the per-key upload limit (abuse protection) would measure itself.
  const service = await startLocalService({ workers: 2, env: { GRADEBOX_UPLOADS_PER_MINUTE: String(1_000_000), ...storeEnv } });
  const scratch = mkdtempSync(join(tmpdir(), 'gradebox-bench-'));
  try {
    const grader = writeEchoGrader(join(scratch, 'echo-grader'));
    execFileSync(process.execPath, [CLI, 'assignments', 'add', '--course', 'demo', '--name', 'echo', '--grader', grader, '--data', service.dataDir], { env: { ...process.env, ...storeEnv } });
    const slots = new CpuSlots(defaultCpus(), 2);
    // The same warm-up on both sides: a service that has been running for a while (compiled code
    // paths, the worker's grader cache), and a direct pipeline past its first gradings.
    await serviceRound(service, studentsOf('warm', warmUp));
    await directRound(grader, scratch, slots, studentsOf('warm', warmUp));
    let serviceMs = 0;
    let directMs = 0;
    for (let round = 0; round < rounds; round++) {
      const students = studentsOf(`round${round}`, perRound);
      serviceMs += await serviceRound(service, students);
      directMs += await directRound(grader, scratch, slots, students);
    }
    const submissions = perRound * rounds;
    const round2 = (x: number) => Math.round(x * 100) / 100;
    return {
      store, submissions, rounds, service_s: round2(serviceMs / 1000), submissions_per_s: round2(submissions / (serviceMs / 1000)),
      direct_s: round2(directMs / 1000), ratio_service_to_direct: round2(serviceMs / directMs),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await service.stop();
  }
}
