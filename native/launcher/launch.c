/* One sandbox, from its shape to its report: the slot and cgroup, the clone into new namespaces,
 * then the init (child.c) on one side and the supervisor (supervise.c) on the other. Shared by
 * the standalone launcher (main.c) and the supervisors of --serve (server.c). */
#include "launcher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The supervisor works where its sandbox will run: on the slot's CPUs (--cpus), so that building,
 * supervising and tearing down a slot's sandboxes takes none of another slot's CPU time, and a
 * worker's sandboxes scale with the CPUs it was given (sched_setaffinity(2), inherited by the
 * sandbox's processes). Without --cpus, wherever the process that started us could run. */
static void work_on_cpus(const char *cpus) {
  static cpu_set_t anywhere;
  static bool saved;
  if (!saved && sched_getaffinity(0, sizeof anywhere, &anywhere) < 0) die_errno("sched_getaffinity");
  saved = true;
  cpu_set_t set;
  if (cpus && !parse_cpu_list(cpus, &set)) die("--cpus: bad CPU list %s", cpus);
  if (sched_setaffinity(0, sizeof set, cpus ? &set : &anywhere) < 0) die_errno("sched_setaffinity %s", cpus ? cpus : "(all)");
}

/* Builds one sandbox of the given shape and supervises its one run (shared by both modes). */
int launch(struct config *cfg) {
  if (!cfg->root_lower) die("--root-lower DIR is required");
  if (strpbrk(cfg->root_lower, ",:")) die("--root-lower may not contain ',' or ':': %s", cfg->root_lower);
  /* Built ahead of its run, the sandbox takes only CPU time no run wants: building one costs more
   * than a short run, and in a pool it overlaps the run of the one before (sched(7): SCHED_IDLE,
   * inherited by the sandbox's processes). When its run is wanted it goes back to normal. */
  const struct sched_param normal = {.sched_priority = 0};
  if (sched_setscheduler(0, cfg->background && cfg->control_fd >= 0 ? SCHED_IDLE : SCHED_OTHER, &normal) < 0)
    die_errno("sched_setscheduler");
  work_on_cpus(cfg->cpus);
  int slot = acquire_slot(cfg->state_dir);
  uint32_t uid_base = UID_BASE + (uint32_t)slot * UID_RANGE;
  cgroup_sweep(cfg->cgroup_name, slot);
  cgroup_create(cfg->cgroup_name, slot, cfg->cpus);

  int sync[2], out[2], err[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
      pipe2(err, O_CLOEXEC) < 0) {
    cgroup_destroy();
    die_errno("socketpair/pipe");
  }
  last_capability();
  int net = sandbox_netns(); /* joined by the child: see netns.c */
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  pid_t child = cgroup_clone(flags);
  if (child < 0) {
    cgroup_destroy();
    die_errno("clone the sandbox");
  }
  if (child == 0) {
    close(sync[0]);
    close(out[0]);
    close(err[0]);
    _exit(child_main(cfg, net, sync[1], out[1], err[1], uid_base));
  }
  close(sync[1]);
  close(out[1]);
  close(err[1]);
  return supervise(cfg, child, sync[0], out[0], err[0], uid_base);
}

