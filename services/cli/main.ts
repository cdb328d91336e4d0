#!/usr/bin/env node
// The gradebox command line: dispatches to one module per subcommand.
import { InternalError, UsageError, UserError } from '../common/errors.js';
import { gradeboxVersion } from '../common/version.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'run the whole service on this machine: API, workers, Redis', load: async () => (await import('./start-command.js')).startCommand },
  api: { summary: 'run the HTTP API alone (unprivileged)', load: async () => (await import('./api-command.js')).apiCommand },
  worker: { summary: 'run a grading worker pool (root)', load: async () => (await import('./worker-command.js')).workerCommand },
  keys: { summary: 'create, list or revoke course keys', load: async () => (await import('./keys-command.js')).keysCommand },
  webhooks: { summary: 'send a course\'s events to signed webhook endpoints; let an LMS send signed webhooks in', load: async () => (await import('./webhooks-command.js')).webhooksCommand },
  assignments: { summary: 'add, change (due date, feedback release) or list a course\'s assignments', load: async () => (await import('./assignments-command.js')).assignmentsCommand },
  migrate: { summary: 'move a SQLite store into an empty PostgreSQL database, verified by counts and digests', load: async () => (await import('./migrate-command.js')).migrateCommand },
  submissions: { summary: 'show a submission\'s whole record (failures\' details included), for operators', load: async () => (await import('./submissions-command.js')).submissionsCommand },
  grader: { summary: 'self-test a grader: grade its known-verdict programs in submissions/', load: async () => (await import('./grader-command.js')).graderCommand },
  import: { summary: 'make graders from Kattis problem packages, HumanEval or MBPP tasks', load: async () => (await import('./import-command.js')).importCommand },
  audit: { summary: 'verify or show the security audit log', load: async () => (await import('./audit-command.js')).auditCommand },
  bench: { summary: 'measure the sandbox against a bare spawn and bubblewrap', load: async () => (await import('./bench-command.js')).benchCommand },
  grade: { summary: 'grade one submission against a grader folder, locally', load: async () => (await import('./grade-command.js')).gradeCommand },
  health: { summary: 'check that this host can run sandboxes (and keep kernel audit records)', load: async () => (await import('./health-command.js')).healthCommand },
  policy: { summary: 'check, show or compile a seccomp policy', load: async () => (await import('./policy-command.js')).policyCommand },
  reproduce: { summary: 're-grade a submission under a recorded result and report differences', load: async () => (await import('./reproduce-command.js')).reproduceCommand },
  run: { summary: 'run one command in a sandbox and report what happened', load: async () => (await import('./run-command.js')).runCommand },
};

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
