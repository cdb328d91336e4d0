/* One call site for cgroups: picks the v2 backend on a unified hierarchy, v1 otherwise. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

static const struct cgroup_backend *backend;

void cgroup_init(void) {
  struct statfs fs;
  if (statfs("/sys/fs/cgroup", &fs) < 0) die_errno("statfs /sys/fs/cgroup");
  backend = fs.f_type == CGROUP2_SUPER_MAGIC ? &cgroup_v2_backend : &cgroup_v1_backend;
}

const char *cgroup_version(void) { return backend->name; }
void cgroup_sweep(const char *group, int slot) { backend->sweep(group, slot); }
void cgroup_create(const char *group, int slot) { backend->create(group, slot); }
void cgroup_apply_limits(const struct limits *limits) { backend->apply_limits(limits); }
void cgroup_join_self(void) { backend->join_self(); }
int cgroup_read_cpu_us(int64_t *cpu_us) { return backend->read_cpu_us(cpu_us); }
void cgroup_reset_peak(void) { backend->reset_peak(); }
void cgroup_read_stats(struct cgroup_stats *stats) { backend->read_stats(stats); }
void cgroup_kill_all(bool stopped) { backend->kill_all(stopped); }
void cgroup_destroy(void) { backend->destroy(); }
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

/* SIGKILL every process listed, until none is left (new ones may appear while we read).
 * One round is enough when every process is stopped: nothing in it can fork. */
void kill_pids_in(const char *procs_path, int rounds) {
  for (int round = 0; round < rounds; round++) {
    FILE *f = fopen(procs_path, "re");
    if (!f) return;
    int pid, killed = 0;
    while (fscanf(f, "%d", &pid) == 1) {
      kill(pid, SIGKILL);
      killed++;
    }
    fclose(f);
    if (!killed) return;
    usleep(1000);
  }
}

/* rmdir can fail with EBUSY for a moment after the last process died: retry briefly. */
int remove_cgroup_dir(const char *path) {
  for (int attempt = 0; attempt < 200; attempt++) {
    if (rmdir(path) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY) return -1;
    usleep(500);
  }
  return -1;
}

int64_t read_int_file(const char *path) {
  char buf[64];
  if (read_file(path, buf, sizeof buf) < 0) return -1;
  return strtoll(buf, NULL, 10);
}

/* Value of "key N" in a flat keyed file such as memory.events or cpu.stat; -1 if absent. */
int64_t read_keyed_value(const char *path, const char *key) {
  char buf[4096];
  if (read_file(path, buf, sizeof buf) < 0) return -1;
  size_t keylen = strlen(key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, keylen) == 0 && line[keylen] == ' ') return strtoll(line + keylen + 1, NULL, 10);
  }
  return -1;
}
