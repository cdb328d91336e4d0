// `gradebox assignments add --course C --name NAME --grader DIR [--due ISO8601] [--data DIR]`
// (adding a name again points it at the new grader), `gradebox assignments set --course C
// --name NAME [--due ISO8601|--no-due] [--release|--unrelease]` (when withheld feedback is
// shown) and `gradebox assignments list --course C`. The grader is snapshotted into the store:
// read here, as the user who runs the command, before it drops to the service account; the API
// and the workers never read DIR.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError, UserError } from '../common/errors.js';
import { graderChanges } from '../grading/grader-change.js';
import { snapshotGrader, type MadeSnapshot } from '../grading/grader-snapshot.js';
import { DEFAULT_STORE_OPTIONS } from '../store/store-options.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { DATA_HELP, withCommandStore, type CommandStore } from './command-store.js';
import { SCHEDULE_FLAGS, scheduleChangeFrom, scheduleText } from './feedback-schedule-flags.js';

export const ASSIGNMENTS_HELP = `usage: gradebox assignments add --course C --name NAME --grader DIR [--due ISO8601] [--data DIR]
       gradebox assignments set --course C --name NAME [--due ISO8601|--no-due] [--release|--unrelease] [--data DIR]
       gradebox assignments list --course C [--data DIR]

  --grader DIR   a folder with grader.yaml: checked and snapshotted into the store (grader.yaml and
                 the files it names); adding the same name again points it at the new grader and
                 says what changed
  --due          the due date, with its zone (2026-05-01T23:59:00+02:00); --no-due removes it
  --release      show the withheld feedback now; --unrelease withholds it again
${DATA_HELP}
The course must exist (gradebox courses add). Nothing is regraded by a change.
`;
const USAGE = ASSIGNMENTS_HELP;

/** Stores the snapshot and points the assignment at it; says what changed for the course's instructor. */
async function addAssignment({ store, audit }: CommandStore, courseId: string, name: string, snapshot: MadeSnapshot): Promise<string> {
  const before = await store.findAssignment(courseId, name);
  const old = before ? await store.findGraderSnapshot(before.graderDigest) : null;
  await store.addGraderSnapshot(snapshot);
  const assignment = await store.addAssignment(courseId, name, snapshot.sourceDir, snapshot.digest);
  if (before?.graderDigest !== snapshot.digest) {
    await audit(before ? 'grader.changed' : 'assignment.created', courseId, { assignment: name, from: before?.graderDigest ?? null, to: snapshot.digest, source: snapshot.sourceDir });
  }
  const short = (digest: string) => digest.slice(0, 12);
  const title = `assignment ${assignment.name} of course ${assignment.courseId}`;
  if (!before) return `${title}: grader ${snapshot.sourceDir} (${short(snapshot.digest)}), ${snapshot.manifest.files.length} file(s) snapshotted\n`;
  if (before.graderDigest === snapshot.digest) return `${title}: grader unchanged (${short(snapshot.digest)})\n`;
  const changes = old ? graderChanges(old.manifest, snapshot.manifest) : ['(the grader before had no snapshot to compare with)'];
  return `${title}: grader changed: ${short(before.graderDigest)} → ${short(snapshot.digest)}\n${changes.map((line) => `  ${line}\n`).join('')}`;
}

export async function assignmentsCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, name: { type: 'string' }, grader: { type: 'string' }, ...STORE_FLAGS, ...SCHEDULE_FLAGS });
  if (action !== 'add' && action !== 'list' && action !== 'set') throw new UsageError(USAGE);
  if (!values.course) throw new UsageError('missing --course C');
  const schedule = scheduleChangeFrom(values);
  let snapshot: MadeSnapshot | undefined;
  if (action === 'add') {
    if (!values.name) throw new UsageError('missing --name NAME (how the portal names the assignment)');
    if (!values.grader) throw new UsageError('missing --grader DIR (a folder with grader.yaml)');
    if (!existsSync(resolve(values.grader, 'grader.yaml'))) throw new UsageError(`--grader ${values.grader}: no grader.yaml there`);
    if (values['no-due'] || values.release || values.unrelease) throw new UsageError('add takes --due only; change the rest with gradebox assignments set');
    // Checked and read now, with this user's rights, before anything is stored.
    snapshot = await snapshotGrader(resolve(values.grader), DEFAULT_STORE_OPTIONS.maxBlobBytes);
  }
  if (action === 'set') {
    if (!values.name) throw new UsageError('missing --name NAME (the assignment to change)');
    if (Object.keys(schedule).length === 0) throw new UsageError('nothing to change: give --due ISO8601, --no-due, --release or --unrelease');
  }
  const course = values.course;
  return withCommandStore(values, async (opened) => {
    const { store, audit } = opened;
    // Never made here: a typo in --course is an error that lists the courses there are.
    if (!(await store.getCourse(course))) throw new UserError('E_NOT_FOUND', `course ${course} does not exist; add it first (gradebox courses add ${course}), or see gradebox courses list`);
    if (snapshot) {
      print(await addAssignment(opened, course, values.name!, snapshot));
    }
    if (action !== 'list' && Object.keys(schedule).length > 0) {
      const assignment = await store.setFeedbackSchedule(course, values.name!, schedule);
      await audit('assignment.schedule', course, { assignment: assignment.name, due_at: assignment.dueAt, feedback_released_at: assignment.feedbackReleasedAt });
      print(`${snapshot ? '' : `assignment ${assignment.name} of course ${assignment.courseId}: `}${scheduleText(assignment)}\n`);
    } else if (action === 'list') {
      for (const a of await store.listAssignments(course)) {
        const note = (await store.findGraderSnapshot(a.graderDigest)) ? '' : '  (no snapshot: add it again)';
        print(`${a.name}  ${a.state}  ${a.graderDir}  ${a.graderDigest.slice(0, 12)}  ${scheduleText(a)}${note}\n`);
      }
    }
    return 0;
  });
}
