/* cgroup v2 backend: one directory in the unified hierarchy, controllers enabled on its parent. */
#include "cgroup.h"
#include "cgroup-files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];
static bool created;
/* What the sandbox's cpuset.cpus holds ("": the group's, as made). */
static char cpus_now[CPUS_TEXT];

static void file_path(char *out, size_t size, const char *file) { snprintf(out, size, "%s/%s", dir, file); }

static void v2_sweep(const char *group, int slot) {
  char leftover[512], file[600];
  snprintf(leftover, sizeof leftover, "/sys/fs/cgroup/%s/slot-%d", group, slot);
  if (access(leftover, F_OK) != 0) return;
  snprintf(file, sizeof file, "%s/cgroup.kill", leftover);
  if (write_file(file, "1") < 0) {
    snprintf(file, sizeof file, "%s/cgroup.freeze", leftover);
    write_file(file, "0");
    snprintf(file, sizeof file, "%s/cgroup.procs", leftover);
    kill_pids_in(file, 100);
  }
  if (remove_cgroup_dir(leftover) < 0) die_errno("remove leftover cgroup %s", leftover);
}

/* Controllers must be enabled in every ancestor's subtree_control for the slot to get them. */
/* Made once per process (its group name never changes), and again if someone removed it. */
static bool ensured;

static void ensure_group(const char *group) {
  if (ensured) return;
  ensured = true;
  char group_dir[512], file[600];
  snprintf(group_dir, sizeof group_dir, "/sys/fs/cgroup/%s", group);
  if (mkdir(group_dir, 0755) < 0 && errno != EEXIST) die_errno("mkdir %s", group_dir);
  const char *parents[] = {"/sys/fs/cgroup", group_dir};
  for (int i = 0; i < 2; i++) {
    snprintf(file, sizeof file, "%s/cgroup.subtree_control", parents[i]);
    if (write_file(file, "+memory +pids +cpu +cpuset") < 0)
      die_errno("enable memory, pids, cpu and cpuset controllers in %s", file);
  }
}

static void set_value(const char *file, const char *value) {
  char path[600];
  file_path(path, sizeof path, file);
  if (write_file(path, "%s", value) < 0) die_errno("write %s = %s", path, value);
}

static void set_cpus(const char *cpus) {
  char path[600];
  file_path(path, sizeof path, "cpuset.cpus");
  write_cpus(path, cpus, cpus_now);
}

/* cpuset.cpus before anyone joins: joining sets a task's affinity to the cgroup's CPUs (cpuset(7)). */
static void v2_create(const char *group, int slot, const char *cpus) {
  ensure_group(group);
  snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s/slot-%d", group, slot);
  if (mkdir(dir, 0755) < 0) {
    if (errno != ENOENT) die_errno("mkdir %s", dir);
    ensured = false; /* the group went since we made it */
    ensure_group(group);
    if (mkdir(dir, 0755) < 0) die_errno("mkdir %s", dir);
  }
  created = true;
  cpus_now[0] = '\0';
  if (cpus) set_cpus(cpus);
}

static void v2_apply_limits(const struct limits *limits) {
  char value[64];
  if (limits->memory_bytes) {
    snprintf(value, sizeof value, "%lld", (long long)limits->memory_bytes);
    set_value("memory.max", value);
    char path[600];
    file_path(path, sizeof path, "memory.swap.max");
    if (access(path, F_OK) == 0) set_value("memory.swap.max", "0");
  }
  if (limits->pids) {
    snprintf(value, sizeof value, "%lld", (long long)limits->pids);
    set_value("pids.max", value);
  }
  if (limits->cpuset) set_cpus(limits->cpuset);
}

static int v2_clone_into_fd(void) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die_errno("open %s", dir);
  return fd;
}

static void v2_join_self(void) {
  char path[600];
  file_path(path, sizeof path, "cgroup.procs");
  if (write_file(path, "0") < 0) die_errno("join %s", path);
}

static int v2_read_cpu_us(int64_t *cpu_us) {
  char path[600];
  file_path(path, sizeof path, "cpu.stat");
  int64_t us = read_keyed_value(path, "usage_usec");
  if (us < 0) return -1;
  *cpu_us = us;
  return 0;
}

/* memory.peak can only be reset per open file (6.12+); the setup's peak stays in the figure. */
static void v2_reset_peak(void) {}

static void v2_read_stats(struct cgroup_stats *stats) {
  char path[600];
  v2_read_cpu_us(&stats->cpu_us);
  file_path(path, sizeof path, "memory.peak");
  stats->memory_peak_bytes = read_int_file(path);
  file_path(path, sizeof path, "memory.events");
  stats->oom_kills = read_keyed_value(path, "oom_kill");
  stats->memory_limit_hits = read_keyed_value(path, "max");
}

static void v2_kill_all(bool stopped) {
  char path[600];
  file_path(path, sizeof path, "cgroup.kill");
  if (write_file(path, "1") == 0) return;
  file_path(path, sizeof path, "cgroup.procs");
  kill_pids_in(path, stopped ? 1 : 100);
}

static void v2_procs_file(char *out, size_t size) { file_path(out, size, "cgroup.procs"); }

static bool v2_destroy(void) {
  if (!created) return false;
  created = false;
  return remove_cgroup_dir(dir) == 0;
}

const struct cgroup_backend cgroup_v2_backend = {
    .name = "v2",
    .sweep = v2_sweep,
    .create = v2_create,
    .apply_limits = v2_apply_limits,
    .join_self = v2_join_self,
    .clone_into_fd = v2_clone_into_fd,
    .read_cpu_us = v2_read_cpu_us,
    .reset_peak = v2_reset_peak,
    .read_stats = v2_read_stats,
    .kill_all = v2_kill_all,
    .procs_file = v2_procs_file,
    .destroy = v2_destroy,
};
