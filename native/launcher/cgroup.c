/* One call site for cgroups: picks the v2 backend on a unified hierarchy, v1 otherwise. */
#include "cgroup.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/sched.h>
#include <linux/magic.h>

static const struct cgroup_backend *backend;

void cgroup_init(void) {
  struct statfs fs;
  if (statfs("/sys/fs/cgroup", &fs) < 0) die_errno("statfs /sys/fs/cgroup");
  backend = fs.f_type == CGROUP2_SUPER_MAGIC ? &cgroup_v2_backend : &cgroup_v1_backend;
}

/* The slot whose cgroups this process created and then removed, all of them, most recently; it
 * holds that slot (slot.c), so nothing else can have left anything there since. -1: none. */
static int swept_slot = -1, created_slot = -1;

const char *cgroup_version(void) { return backend->name; }

void cgroup_sweep(const char *group, int slot) {
  if (slot != swept_slot) backend->sweep(group, slot);
}

void cgroup_create(const char *group, int slot, const char *cpus) {
  swept_slot = -1;
  backend->create(group, slot, cpus);
  created_slot = slot;
}

void cgroup_destroy(void) {
  if (backend->destroy()) swept_slot = created_slot;
}
void cgroup_release(void) {
  if (backend->release) backend->release();
}
void cgroup_apply_limits(const struct limits *limits) { backend->apply_limits(limits); }
/* The sandbox's init was cloned straight into its cgroup: it has nothing to join. */
static bool init_born_inside;

/* The sandbox's init, in new namespaces (`flags`, the exit signal in the low byte as clone(2)
 * takes it): where the backend can (v2, clone3's CLONE_INTO_CGROUP), born in its cgroup. A move
 * into a cgroup takes the kernel's threadgroup lock for writing, which after an idle spell waits
 * for an RCU grace period (5-7 ms here): twice on a grading's path, its build's sandbox and its
 * first test's. On v1, or a kernel without clone3 (before 5.7), the init moves itself in. */
pid_t cgroup_clone(int flags) {
  int cgroup_fd = backend->clone_into_fd ? backend->clone_into_fd() : -1;
  if (cgroup_fd >= 0) {
    struct clone_args args = {.flags = (uint64_t)(flags & ~CSIGNAL) | CLONE_INTO_CGROUP,
                              .exit_signal = (uint64_t)(flags & CSIGNAL), .cgroup = (uint64_t)cgroup_fd};
    init_born_inside = true; /* what the child sees; the parent's is set again below */
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    int error = errno;
    close(cgroup_fd);
    init_born_inside = pid >= 0;
    errno = error;
    if (pid >= 0 || error != ENOSYS) return pid;
  }
  init_born_inside = false;
  return (pid_t)syscall(SYS_clone, flags, 0, NULL, NULL, 0);
}

void cgroup_join_self(void) {
  if (!init_born_inside) backend->join_self();
}
int cgroup_read_cpu_us(int64_t *cpu_us) { return backend->read_cpu_us(cpu_us); }
void cgroup_reset_peak(void) { backend->reset_peak(); }
void cgroup_read_stats(struct cgroup_stats *stats) { backend->read_stats(stats); }
void cgroup_kill_all(bool stopped) { backend->kill_all(stopped); }
void cgroup_procs_path(char *out, size_t size) { backend->procs_file(out, size); }

/* We are host root, so we may raise the sandbox's processes back to normal priority, which nothing
 * inside could (that needs CAP_SYS_NICE in the host's user namespace, or an RLIMIT_NICE we never
 * grant: sched(7)). The supervisor calls this when the run is wanted and again once the sandbox
 * is built, after which none of its processes forks until the program runs; a process forked in
 * between inherits its parent's policy, so the second call finds it. */
void cgroup_to_foreground(void) {
  const struct sched_param normal = {.sched_priority = 0};
  char path[600];
  backend->procs_file(path, sizeof path);
  FILE *f = fopen(path, "re");
  if (!f) die_errno("open %s", path);
  int pid;
  while (fscanf(f, "%d", &pid) == 1)
    if (sched_setscheduler(pid, SCHED_OTHER, &normal) < 0 && errno != ESRCH)
      die_errno("sched_setscheduler SCHED_OTHER for pid %d", pid);
  fclose(f);
}
