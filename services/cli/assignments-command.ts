// `gradebox assignments add --course C --name NAME --grader DIR [--data DIR]` (adding a name
// again points it at the new grader) and `gradebox assignments list --course C`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { loadGrader } from '../grading/grader-definition.js';
import { dropToServiceUser } from '../host/privileges.js';
import { openStore } from '../store/open-store.js';
import { parseFlags } from './args.js';

export async function assignmentsCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, { course: { type: 'string' }, name: { type: 'string' }, grader: { type: 'string' }, data: { type: 'string' } });
  if (action !== 'add' && action !== 'list') throw new UsageError('usage: gradebox assignments add --course C --name NAME --grader DIR [--data DIR] | gradebox assignments list --course C');
  if (!values.course) throw new UsageError('missing --course C');
  let grader: ReturnType<typeof loadGrader> | undefined;
  if (action === 'add') {
    if (!values.name) throw new UsageError('missing --name NAME (how the portal names the assignment)');
    if (!values.grader) throw new UsageError('missing --grader DIR (a folder with grader.yaml)');
    if (!existsSync(resolve(values.grader, 'grader.yaml'))) throw new UsageError(`--grader ${values.grader}: no grader.yaml there`);
    grader = loadGrader(resolve(values.grader)); // checked before anything is stored
  }
  const dataDir = resolve(values.data ?? config().dataDir);
  dropToServiceUser(dataDir);
  const store = await openStore(dataDir);
  try {
    if (grader) {
      await store.createCourse(values.course);
      const assignment = await store.addAssignment(values.course, values.name!, grader.dir, grader.digest);
      print(`assignment ${assignment.name} of course ${assignment.courseId}: grader ${assignment.graderDir} (${assignment.graderDigest.slice(0, 12)})\n`);
    } else {
      for (const a of await store.listAssignments(values.course)) print(`${a.name}  ${a.graderDir}  ${a.graderDigest.slice(0, 12)}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
