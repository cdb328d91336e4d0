// `gradebox assignments add --course C --name NAME --grader DIR [--due ISO8601] [--data DIR]`
// (adding a name again points it at the new grader), `gradebox assignments set --course C
// --name NAME [--due ISO8601|--no-due] [--release|--unrelease]` (when withheld feedback is
// shown) and `gradebox assignments list --course C`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { loadGrader } from '../grading/grader-definition.js';
import { dropToServiceUser } from '../host/privileges.js';
import { openStore } from '../store/open-store.js';
import { parseFlags } from './args.js';
import { SCHEDULE_FLAGS, scheduleChangeFrom, scheduleText } from './feedback-schedule-flags.js';

const USAGE = 'usage: gradebox assignments add --course C --name NAME --grader DIR [--due ISO8601] [--data DIR]'
  + ' | gradebox assignments set --course C --name NAME [--due ISO8601|--no-due] [--release|--unrelease] [--data DIR]'
  + ' | gradebox assignments list --course C';

export async function assignmentsCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, name: { type: 'string' }, grader: { type: 'string' }, data: { type: 'string' }, ...SCHEDULE_FLAGS });
  if (action !== 'add' && action !== 'list' && action !== 'set') throw new UsageError(USAGE);
  if (!values.course) throw new UsageError('missing --course C');
  const schedule = scheduleChangeFrom(values);
  let grader: ReturnType<typeof loadGrader> | undefined;
  if (action === 'add') {
    if (!values.name) throw new UsageError('missing --name NAME (how the portal names the assignment)');
    if (!values.grader) throw new UsageError('missing --grader DIR (a folder with grader.yaml)');
    if (!existsSync(resolve(values.grader, 'grader.yaml'))) throw new UsageError(`--grader ${values.grader}: no grader.yaml there`);
    if (values['no-due'] || values.release || values.unrelease) throw new UsageError('add takes --due only; change the rest with gradebox assignments set');
    grader = loadGrader(resolve(values.grader)); // checked before anything is stored
  }
  if (action === 'set') {
    if (!values.name) throw new UsageError('missing --name NAME (the assignment to change)');
    if (Object.keys(schedule).length === 0) throw new UsageError('nothing to change: give --due ISO8601, --no-due, --release or --unrelease');
  }
  const dataDir = resolve(values.data ?? config().dataDir);
  dropToServiceUser(dataDir);
  const store = await openStore(dataDir);
  try {
    if (grader) {
      await store.createCourse(values.course);
      const assignment = await store.addAssignment(values.course, values.name!, grader.dir, grader.digest);
      print(`assignment ${assignment.name} of course ${assignment.courseId}: grader ${assignment.graderDir} (${assignment.graderDigest.slice(0, 12)})\n`);
      if (schedule.dueAt !== undefined) print(`${scheduleText(await store.setFeedbackSchedule(values.course, values.name!, schedule))}\n`);
    } else if (action === 'set') {
      const assignment = await store.setFeedbackSchedule(values.course, values.name!, schedule);
      print(`assignment ${assignment.name} of course ${assignment.courseId}: ${scheduleText(assignment)}\n`);
    } else {
      for (const a of await store.listAssignments(values.course)) print(`${a.name}  ${a.graderDir}  ${a.graderDigest.slice(0, 12)}  ${scheduleText(a)}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
