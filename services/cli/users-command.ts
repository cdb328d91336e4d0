// `gradebox users add --email E --role admin|instructor|ta [--course C] [--name N] [--password-stdin]`:
// an account for the dashboard, with a generated password printed alone on the last line (or the
// one read from standard input, printed nowhere); an account that exists already gets the course
// role. `gradebox users list`; `gradebox users password --email E [--password-stdin]` sets a new
// one and ends the account's sessions.
import { readFileSync } from 'node:fs';

import { checkNewPassword, hashPassword } from '../access/password-hash.js';
import { newPassword } from '../access/new-password.js';
import { UsageError, UserError } from '../common/errors.js';
import { COURSE_ROLES, type CourseRole, type Store, type User } from '../store/store.js';
import { parseFlags } from './args.js';
import { STORE_FLAGS } from './store-location.js';
import { DATA_HELP, withCommandStore } from './command-store.js';

export const USERS_HELP = `usage: gradebox users add --email E --role admin|instructor|ta [--course C] [--name N] [--password-stdin] [--data DIR]
       gradebox users list [--data DIR]
       gradebox users password --email E [--password-stdin] [--data DIR]

  --role            admin: everything, every course; instructor or ta: of the course --course names
                    (an instructor manages the course, its graders, keys and staff; a TA reads and regrades)
  --password-stdin  read the password from standard input (12 to 1024 characters) instead of
                    printing a generated one
${DATA_HELP}
add and password print a generated password once, alone on the last line; sign in at / of the API.
`;

/** The password: read from stdin (without its final newline), or generated (then printed). */
function passwordFrom(stdin: boolean): { password: string; generated: boolean } {
  if (!stdin) return { password: newPassword(), generated: true };
  const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  checkNewPassword(password);
  return { password, generated: false };
}

function roleFrom(role: string | undefined, course: string | undefined): CourseRole | 'admin' {
  if (role === 'admin') {
    if (course) throw new UsageError('an admin has every course: leave --course out');
    return role;
  }
  if (!COURSE_ROLES.includes(role as CourseRole)) throw new UsageError(`--role must be admin, instructor or ta, got ${role === undefined ? 'nothing' : `"${role}"`}`);
  if (!course) throw new UsageError(`--role ${role} needs --course C (the course of the role)`);
  return role as CourseRole;
}

type Print = (text: string) => void;

async function addUser(store: Store, audit: (type: string, course: string | null, data?: Record<string, unknown>) => Promise<void>, values: Record<string, string | boolean | undefined>, print: Print): Promise<void> {
  const email = String(values.email);
  const role = roleFrom(values.role as string | undefined, values.course as string | undefined);
  const course = values.course as string | undefined;
  if (course && !(await store.getCourse(course))) throw new UserError('E_NOT_FOUND', `course ${course} does not exist; add it first (gradebox courses add ${course})`);
  let user: User | null = await store.findUserByEmail(email);
  if (user && role === 'admin') throw new UserError('E_USER_EXISTS', `${user.email} has an account already; reset its password with gradebox users password --email ${user.email}`);
  let password: string | null = null;
  if (!user) {
    const chosen = passwordFrom(values['password-stdin'] === true);
    user = await store.createUser({ email, name: (values.name as string | undefined) ?? null, passwordHash: await hashPassword(chosen.password), admin: role === 'admin' });
    await audit('user.created', null, { user: user.email, admin: user.admin });
    if (chosen.generated) password = chosen.password;
  }
  if (role !== 'admin') {
    await store.setCourseRole(user.id, course!, role);
    await audit('role.granted', course!, { user: user.email, role });
  }
  print(`${user.email} (${user.id}): ${role === 'admin' ? 'admin' : `${role} of ${course}`}; signs in at / of the API\n`);
  if (password) print(`password (shown once; only its hash is kept):\n${password}\n`);
}

async function resetPassword(store: Store, audit: (type: string, course: string | null, data?: Record<string, unknown>) => Promise<void>, email: string, stdin: boolean, print: Print): Promise<void> {
  const user = await store.findUserByEmail(email);
  if (!user) throw new UserError('E_NOT_FOUND', `no account with email ${email} (gradebox users list shows them)`);
  const chosen = passwordFrom(stdin);
  await store.setPasswordHash(user.id, await hashPassword(chosen.password));
  await audit('user.password_reset', null, { user: user.email });
  print(`${user.email}: new password set; every session of the old one has ended\n`);
  if (chosen.generated) print(`password (shown once; only its hash is kept):\n${chosen.password}\n`);
}

export async function usersCommand(argv: string[], print: Print = (t) => process.stdout.write(t)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseFlags(rest, {
    email: { type: 'string' }, role: { type: 'string' }, course: { type: 'string' }, name: { type: 'string' },
    'password-stdin': { type: 'boolean' }, ...STORE_FLAGS,
  });
  if (action !== 'add' && action !== 'list' && action !== 'password') throw new UsageError(USERS_HELP);
  if (action !== 'list' && !values.email) throw new UsageError('missing --email E (the address the person signs in with)');
  if (action === 'add') roleFrom(values.role, values.course);
  return withCommandStore(values, async ({ store, audit }) => {
    if (action === 'add') await addUser(store, audit, values, print);
    else if (action === 'password') await resetPassword(store, audit, values.email!, values['password-stdin'] === true, print);
    else {
      for (const user of await store.listUsers()) {
        const roles = Object.entries(await store.courseRolesOf(user.id)).map(([course, role]) => `${role} of ${course}`);
        print(`${user.id}  ${user.email ?? '(no email)'}  ${[user.admin ? 'admin' : '', ...roles].filter(Boolean).join(', ') || 'no role'}${user.disabledAt ? '  disabled' : ''}\n`);
      }
    }
    return 0;
  });
}
