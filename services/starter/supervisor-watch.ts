// A child of `gradebox start` learns that start is gone, even when start was killed with SIGKILL
// and could stop nothing. It is re-parented then (to init or a subreaper), so its parent pid is no
// longer start's. Asked often (every 250 ms, and once at once): a child that started after start
// died sees it on its first look. PR_SET_PDEATHSIG would be quicker but is not reachable from Node,
// and it fires when the parent THREAD ends (prctl(2)), which is not what this needs.
import { config } from '../common/config.js';

const CHECK_MS = 250;

/** Calls `onGone` once when the `gradebox start` that ran this process is gone; nothing outside start. */
export function whenSupervisorGone(onGone: () => void): void {
  const supervisor = config().supervisorPid;
  if (supervisor === undefined) return;
  const check = (): void => {
    if (process.ppid === supervisor) return;
    clearInterval(timer);
    onGone();
  };
  const timer = setInterval(check, CHECK_MS);
  timer.unref();
  check();
}

/** The API's way: start gone means stop, as on SIGTERM (its own handler closes it quickly). */
export function stopWithSupervisor(): void {
  whenSupervisorGone(() => process.kill(process.pid, 'SIGTERM'));
}
