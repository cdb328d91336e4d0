// A child of `gradebox start` stops (gracefully, through its own SIGTERM handling) when start is
// gone, even if start was killed with SIGKILL and could not stop it: no orphaned API or worker.
import { config } from '../common/config.js';

const CHECK_MS = 1000;

export function stopWithSupervisor(): void {
  const supervisor = config().supervisorPid;
  if (supervisor === undefined) return;
  const timer = setInterval(() => {
    if (process.ppid !== supervisor) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, CHECK_MS);
  timer.unref();
}
