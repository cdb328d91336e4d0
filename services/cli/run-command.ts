// `gradebox run [OPTIONS] -- COMMAND [ARGS...]`: one sandboxed run, printed as JSON with --json.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError } from '../common/errors.js';
import { resolveLimits } from '../sandbox/limits.js';
import { policyNames } from '../seccomp/policy.js';
import { runSandboxed, type RunResult } from '../sandbox/sandbox.js';
import { integerFlag, parseFlags } from './args.js';

const HELP = `usage: gradebox run [OPTIONS] -- COMMAND [ARGS...]

  --dir HOSTDIR     copy this folder to /box (the working directory); given again, the
                    folders are laid in order, a later one's files replacing an earlier one's
  --stdin FILE      give this file as standard input (default: empty)
  --policy NAME     seccomp policy from policies/ (default: default); a runtime needs its own:
                    python, java (the JVM's threads: mind --pids and --memory-mb), node, go
  --cpu-ms N        CPU time limit, all processes together (default 5000)
  --wall-ms N       wall-clock limit (default 15000)
  --memory-mb N     memory limit including files in /box and /tmp (default 512)
  --pids N          processes and threads (default 128)
  --output-kb N     bytes kept per output stream; more ends the run (default 1024)
  --fsize-kb N      largest file the program may write (default 65536)
  --open-files N    open file descriptors (default 256)
  --json            print the result as JSON

Exit status: 0 when the run was carried out (whatever its status), 2 for bad usage, 1 for an internal error.
`;

function checkPath(flag: string, path: string, kind: 'directory' | 'file'): string {
  const absolute = resolve(path);
  let isKind: boolean;
  try {
    const st = statSync(absolute);
    isKind = kind === 'directory' ? st.isDirectory() : st.isFile();
  } catch {
    throw new UsageError(`${flag} ${path}: no such ${kind}`);
  }
  if (!isKind) throw new UsageError(`${flag} ${path}: not a ${kind}`);
  return absolute;
}

/** The seccomp policy to run under: a file of policies/, `default` when none is named. */
function checkPolicy(name: string | undefined): string {
  const available = policyNames();
  const policy = name ?? 'default';
  if (!available.includes(policy)) throw new UsageError(`--policy ${policy}: no such policy; pick one of ${available.join(', ')}`);
  return policy;
}

function printHuman(result: RunResult): void {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  const exit = result.signal !== null ? `signal ${result.signal}` : `exit ${result.exit_code}`;
  process.stderr.write(`gradebox: ${result.status} (${exit}, cpu ${result.cpu_ms} ms, wall ${result.wall_ms} ms, memory ${result.memory_kb} KiB)\n`);
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    dir: { type: 'string', multiple: true }, stdin: { type: 'string' }, policy: { type: 'string' },
    'cpu-ms': { type: 'string' }, 'wall-ms': { type: 'string' }, 'memory-mb': { type: 'string' },
    pids: { type: 'string' }, 'output-kb': { type: 'string' }, 'fsize-kb': { type: 'string' },
    'open-files': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  }, true);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('missing command: gradebox run [OPTIONS] -- COMMAND [ARGS...]');
  if (!argv.includes('--')) throw new UsageError(`put -- before the command: gradebox run [OPTIONS] -- ${positionals.join(' ')}`);
  const limits = resolveLimits({
    cpuMs: integerFlag('--cpu-ms', values['cpu-ms']),
    wallMs: integerFlag('--wall-ms', values['wall-ms']),
    memoryMb: integerFlag('--memory-mb', values['memory-mb']),
    pids: integerFlag('--pids', values.pids),
    outputKb: integerFlag('--output-kb', values['output-kb']),
    fsizeKb: integerFlag('--fsize-kb', values['fsize-kb']),
    openFiles: integerFlag('--open-files', values['open-files']),
  });
  const policy = checkPolicy(values.policy);
  const dir = (values.dir ?? []).map((path) => checkPath('--dir', path, 'directory'));
  const stdin = values.stdin === undefined ? undefined : checkPath('--stdin', values.stdin, 'file');
  const result = await runSandboxed({ argv: positionals, limits, dir, stdin, policy });
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else printHuman(result);
  return 0;
}
