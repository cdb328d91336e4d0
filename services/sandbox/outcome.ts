// Turns the launcher's facts into one status. Order matters: what the supervisor enforced wins,
// then the kernel's OOM kills, then the program's own exit.
import { constants } from 'node:os';

import type { LaunchReport } from './launcher.js';
import type { Limits } from './limits.js';

export const RUN_STATUSES = ['ok', 'runtime_error', 'time_limit', 'wall_time_limit', 'memory_limit', 'output_limit', 'violation', 'internal_error'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export function classify(report: LaunchReport, limits: Limits): RunStatus {
  if (report.violation) return 'violation';
  if (report.cancelled) return 'internal_error';
  if (report.limit === 'output') return 'output_limit';
  if (report.oom_kills > 0) return 'memory_limit';
  const failed = report.signal !== null || report.exit_code !== 0;
  if (report.limit === 'cpu' || report.cpu_ms > limits.cpuMs || report.signal === constants.signals.SIGXCPU) return 'time_limit';
  if (report.limit === 'wall') return 'wall_time_limit';
  if (!report.program_status_known) return 'internal_error';
  // Out of memory without an OOM kill: the program saw an allocation fail at the limit.
  if (failed && report.memory_limit_hits > 0 && report.memory_kb * 1024 >= limits.memoryMb * 1024 * 1024 * 0.9) return 'memory_limit';
  return failed ? 'runtime_error' : 'ok';
}
