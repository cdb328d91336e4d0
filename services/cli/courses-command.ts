// `gradebox courses add ID [--name NAME]`, `courses list`, `courses rename ID --name NAME`,
// `courses archive ID` / `courses reopen ID`: courses are made only here or by an admin in the
// staff API, never as a side effect of a typo in another command.
import { UsageError, UserError } from '../common/errors.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { DATA_HELP, withCommandStore } from './command-store.js';

export const COURSES_HELP = `usage: gradebox courses add ID [--name NAME] [--data DIR]
       gradebox courses list [--data DIR]
       gradebox courses rename ID --name NAME [--data DIR]
       gradebox courses archive|reopen ID [--data DIR]

  ID                1 to 40 lowercase letters, digits and inner - (how keys, URLs and the portal name the course)
  --name            how people name it (default: the ID)
${DATA_HELP}
An archived course takes no submissions; its records stay.
`;

export async function coursesCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseFlags(rest, { name: { type: 'string' }, ...STORE_FLAGS }, true);
  const actions = ['add', 'list', 'rename', 'archive', 'reopen'];
  if (!action || !actions.includes(action)) throw new UsageError(COURSES_HELP);
  const id = positionals[0];
  if (action === 'list' ? positionals.length > 0 : positionals.length !== 1) throw new UsageError(`${action === 'list' ? 'list takes no course' : `${action} takes one course ID`}\n\n${COURSES_HELP}`);
  if (action === 'rename' && !values.name) throw new UsageError('missing --name NAME (the course\'s new name)');
  return withCommandStore(values, async ({ store, audit }) => {
    if (action === 'list') {
      for (const c of await store.listCourses()) print(`${c.id}  ${c.name}${c.archivedAt ? `  archived ${c.archivedAt}` : ''}\n`);
    } else if (action === 'add') {
      if (await store.getCourse(id!)) throw new UserError('E_COURSE_EXISTS', `course ${id} exists already (gradebox courses list shows them)`);
      const course = await store.createCourse(id!, values.name);
      await audit('course.created', course.id, { name: course.name });
      print(`course ${course.id} (${course.name}) added; next: gradebox keys create --course ${course.id}, gradebox assignments add --course ${course.id} …\n`);
    } else if (action === 'rename') {
      const course = await store.renameCourse(id!, values.name!);
      await audit('course.renamed', course.id, { name: course.name });
      print(`course ${course.id} is now named ${course.name}\n`);
    } else {
      const course = await store.setCourseArchived(id!, action === 'archive');
      await audit(action === 'archive' ? 'course.archived' : 'course.reopened', course.id);
      print(`course ${course.id} ${action === 'archive' ? 'archived: it takes no more submissions' : 'reopened'}\n`);
    }
    return 0;
  });
}
