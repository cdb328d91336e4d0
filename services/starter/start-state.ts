// Where `gradebox start` keeps its own files for a data folder (the list of its processes): a
// root-owned folder under the run dir, named after the data folder. Never inside the data folder:
// the service account owns that one, and a link it plants there would make root write through it.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { config } from '../common/config.js';
import { InternalError } from '../common/errors.js';

/** The processes start runs, as it records them each second. */
export interface ServicePids {
  start?: number;
  api: number | null;
  worker: number | null;
  redis: number | null;
}

const PROCESSES_FILE = 'processes.json';

/** The folder of start's own files for `dataDir` (it need not exist). */
export function startStateDir(dataDir: string): string {
  const key = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  return join(config().runDir, 'start', key);
}

/** Fails unless `dir` is a real folder only root can write: nobody else may put a name in it. */
function checkRootOnly(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new InternalError('E_START_STATE', `${dir} must be a folder that only root can write (found ${st.isSymbolicLink() ? 'a link' : `mode ${(st.mode & 0o7777).toString(8)}, owner ${st.uid}`}); remove it`);
  }
}

/** Makes the folder (and its parents under the run dir), each checked to be root's alone; returns it. */
export function makeStartStateDir(dataDir: string): string {
  const dir = startStateDir(dataDir);
  const { runDir } = config();
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  checkRootOnly(runDir);
  for (const folder of [join(runDir, 'start'), dir]) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    checkRootOnly(folder);
  }
  return dir;
}

/** Replaces the process list whole (written aside, then renamed): a reader never sees half a file. */
export function writeProcesses(stateDir: string, pids: ServicePids): void {
  const file = join(stateDir, PROCESSES_FILE);
  const temp = `${file}.new`;
  rmSync(temp, { force: true }); // left by a start that died mid-write
  writeFileSync(temp, `${JSON.stringify(pids)}\n`, { flag: 'wx', mode: 0o600 });
  renameSync(temp, file);
}

/** The processes start last recorded for `dataDir`, or null before it has. */
export function readProcesses(dataDir: string): ServicePids | null {
  try {
    return JSON.parse(readFileSync(join(startStateDir(dataDir), PROCESSES_FILE), 'utf8')) as ServicePids;
  } catch {
    return null;
  }
}

/** Removes start's folder for `dataDir` (when start has ended). */
export function removeStartState(dataDir: string): void {
  rmSync(startStateDir(dataDir), { recursive: true, force: true });
}
