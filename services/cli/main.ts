#!/usr/bin/env node
// The gradebox command line: dispatches to one module per subcommand.
import { InternalError, UsageError, UserError } from '../common/errors.js';
import { gradeboxVersion } from '../common/version.js';

type Command = (argv: string[]) => Promise<number>;

/**
 * A command's `--help`, for the commands that do not answer it themselves (audit, import, policy,
 * run and worker do): the text, or where to load it from.
 */
type Help = string | (() => Promise<string>);

const DATA = '  --data DIR    the data folder (default: GRADEBOX_DATA, else /var/lib/gradebox/data as root,\n'
  + '                ~/.local/share/gradebox for another user), the same for every command\n';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command>; help?: Help }> = {
  start: {
    summary: 'run the whole service on this machine: API, workers, Redis', load: async () => (await import('./start-command.js')).startCommand,
    help: `usage: gradebox start [--port N] [--data DIR] [--workers N]\n\n  --port N      the API's port on 127.0.0.1 (default: GRADEBOX_PORT, else 8080)\n${DATA}  --workers N   grading slots (default: one per CPU)\n\n`
      + 'Runs Redis (a private one unless REDIS_URL answers), the API as the gradebox account and a worker pool (root);\n'
      + 'restarts a child that dies; SIGTERM stops it gracefully. A fresh data folder gets a demo course and its first key,\n'
      + 'and start says how to make an account to sign in with.\n',
  },
  api: {
    summary: 'run the HTTP API alone (unprivileged)', load: async () => (await import('./api-command.js')).apiCommand,
    help: `usage: gradebox api [--port N] [--host H] [--data DIR] [--redis URL]\n\n  --port N      default: GRADEBOX_PORT, else 8080\n  --host H      default: 127.0.0.1\n${DATA}  --redis URL   default: REDIS_URL (prefer the variable: any local user can read a command line)\n\nStarted by root it becomes the gradebox account first.\n`,
  },
  worker: { summary: 'run a grading worker pool (root)', load: async () => (await import('./worker-command.js')).workerCommand },
  lti: { summary: 'connect an LMS by LTI 1.3: register platforms, link LMS courses, rotate the tool key, show grade passbacks', load: async () => (await import('./lti-command.js')).ltiCommand },
  courses: { summary: 'add, list, rename or archive courses', load: async () => (await import('./courses-command.js')).coursesCommand, help: async () => (await import('./courses-command.js')).COURSES_HELP },
  users: { summary: 'add accounts for the dashboard (admin, instructor, TA), list them, set a password', load: async () => (await import('./users-command.js')).usersCommand, help: async () => (await import('./users-command.js')).USERS_HELP },
  keys: { summary: 'create (portal or staff scope, with an expiry), list or revoke course keys', load: async () => (await import('./keys-command.js')).keysCommand, help: async () => (await import('./keys-command.js')).KEYS_HELP },
  assignments: {
    summary: 'add, change (due date, feedback release) or list a course\'s assignments', load: async () => (await import('./assignments-command.js')).assignmentsCommand,
    help: async () => (await import('./assignments-command.js')).ASSIGNMENTS_HELP,
  },
  submissions: {
    summary: 'show a submission\'s whole record (failures\' details included), for operators', load: async () => (await import('./submissions-command.js')).submissionsCommand,
    help: async () => (await import('./submissions-command.js')).SUBMISSIONS_HELP,
  },
  workers: { summary: 'make (or show) the worker token grading hosts present: workers token create', load: async () => (await import('./workers-command.js')).workersCommand },
  webhooks: { summary: 'send a course\'s events to signed webhook endpoints; let an LMS send signed webhooks in', load: async () => (await import('./webhooks-command.js')).webhooksCommand },
  migrate: { summary: 'move a SQLite store into an empty PostgreSQL database, verified by counts and digests', load: async () => (await import('./migrate-command.js')).migrateCommand },
  grader: {
    summary: 'self-test a grader: grade its known-verdict programs in submissions/', load: async () => (await import('./grader-command.js')).graderCommand,
    help: 'usage: gradebox grader test GRADER_DIR [--json] [--seed N]\n\nGrades every program under the grader\'s submissions/ whose verdict is known and names each that gets\nanother verdict (exit 3).\n',
  },
  import: {
    summary: 'make graders from Kattis problem packages, HumanEval or MBPP tasks', load: async () => (await import('./import-command.js')).importCommand,
    help: 'usage: gradebox import kattis PACKAGE_DIR --out DIR [--time-limit S] [--time-multiplier M]\n       gradebox import humaneval|mbpp --data FILE (--task ID | --all) --out DIR\n',
  },
  audit: { summary: 'verify or show the security audit log, or the staff actions\' trail', load: async () => (await import('./audit-command.js')).auditCommand },
  bench: {
    summary: 'measure the sandbox against a bare spawn and bubblewrap', load: async () => (await import('./bench-command.js')).benchCommand,
    help: 'usage: gradebox bench [--json] [--runs N]\n\n  --json     the report as JSON\n  --runs N   sandbox runs to time (default 200)\n\nSandbox throughput (one and two at a time) vs bare spawn and bubblewrap; grading vs bare compile and runs;\nthe service vs direct grading (and with PostgreSQL, where installed); each target with whether this run met it.\n',
  },
  grade: {
    summary: 'grade one submission against a grader folder, locally', load: async () => (await import('./grade-command.js')).gradeCommand,
    help: 'usage: gradebox grade --grader DIR --submission PATH [--entry FILE] [--json] [--seed N] [--cpus LIST]\n\n  --grader DIR       a folder with grader.yaml\n  --submission PATH  a source file or a folder\n  --entry FILE       the file the program starts from (a grader\'s entry: wins)\n  --json             the whole result as JSON\n  --seed N           the seed the grading passes to tests (default: 0), recorded in the result\n  --cpus LIST        the CPUs its tests run on, several at once (default: all)\n\nGrades locally (no Redis), through the pipeline the workers use.\n',
  },
  health: {
    summary: 'check that this host can run sandboxes (and keep kernel audit records)', load: async () => (await import('./health-command.js')).healthCommand,
    help: 'usage: gradebox health [--json]\n\nChecks root, user namespaces, overlayfs, cgroups, seccomp notify, the launcher, the policies and a real run;\nand whether kernel audit records can be read (and if not, why). Exit status 0 when the host can grade.\n',
  },
  policy: { summary: 'check, show or compile a seccomp policy', load: async () => (await import('./policy-command.js')).policyCommand },
  reproduce: {
    summary: 're-grade a submission under a recorded result and report differences', load: async () => (await import('./reproduce-command.js')).reproduceCommand,
    help: 'usage: gradebox reproduce RESULT.json --submission PATH [--grader DIR] [--json]\n\n  --submission PATH  the submission the result was made from\n  --grader DIR       the grader (default: the one the result names)\n  --json             the differences as JSON\n\nGrades again under the result\'s seed and grader; exit status 3 when something differs.\n',
  },
  run: { summary: 'run one command in a sandbox and report what happened', load: async () => (await import('./run-command.js')).runCommand },
};

/** Whether the arguments ask for help (before a `--`, after which they are a command's own). */
function asksForHelp(argv: string[]): boolean {
  const own = argv.indexOf('--');
  return (own === -1 ? argv : argv.slice(0, own)).some((arg) => arg === '--help' || arg === '-h');
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  gradebox ${name.padEnd(11)} ${summary}`);
  return `usage: gradebox COMMAND [OPTIONS]\n\ncommands:\n${lines.join('\n')}\n\nRun "gradebox COMMAND --help" for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    process.stdout.write(`gradebox ${gradeboxVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
  if (command.help !== undefined && asksForHelp(rest)) {
    process.stdout.write(typeof command.help === 'string' ? command.help : await command.help());
    return 0;
  }
  return (await command.load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`gradebox: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof UserError) {
      process.stderr.write(`gradebox: ${error.message} [${error.code}]\n`);
      process.exitCode = 2;
    } else if (error instanceof InternalError) {
      process.stderr.write(`gradebox: internal error: ${error.message} [${error.code}]\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`gradebox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
