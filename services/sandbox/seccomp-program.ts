// Compiled seccomp programs on disk, where the launcher reads them: one immutable file per
// policy digest, written once (atomically) and shared by every run of that policy.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { config } from '../common/config.js';
import { compilePolicy } from '../seccomp/policy.js';

export interface InstalledPolicy {
  name: string;
  digest: string;
  /** Host path of the BPF program. */
  path: string;
  /** This call wrote the program: a digest this host had not seen, i.e. a policy change. Only the
   * first call of a process can say so; later ones find it written. */
  fresh: boolean;
}

const installed = new Map<string, InstalledPolicy>();

export function installedPolicy(name: string): InstalledPolicy {
  const hit = installed.get(name);
  if (hit) return hit;
  const policy = compilePolicy(name);
  const dir = join(config().stateDir, 'seccomp');
  const path = join(dir, `${policy.digest}.bpf`);
  const fresh = !existsSync(path);
  if (fresh) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, policy.bpf, { mode: 0o600 });
    renameSync(temp, path);
  }
  const result = { name, digest: policy.digest, path, fresh: false };
  installed.set(name, result);
  return { ...result, fresh };
}
