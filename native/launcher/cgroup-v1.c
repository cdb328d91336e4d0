/* cgroup v1 backend: one directory per controller hierarchy (memory, pids, cpuacct, cpuset). */
#include "cgroup.h"
#include "cgroup-files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const controllers[] = {"memory", "pids", "cpuacct", "cpuset"};
enum { MEMORY, PIDS, CPUACCT, CPUSET, NCONTROLLERS };

static char dirs[NCONTROLLERS][512];
static bool created;

/* A slot's pids, cpuacct and cpuset cgroups are kept from one sandbox to the next by the process
 * that holds the slot (slot.c): making and removing a cgroup takes the kernel's global cgroup lock
 * and queues work for its cleanup worker, and v1 has a directory per controller. What they hold
 * is set again for each run (pids.max, cpuset.cpus) or read against a baseline (cpuacct.usage,
 * supervise.c). Nothing inside a sandbox can change them: the cgroup file system is not mounted
 * there, and its files belong to host root. The memory cgroup is made per sandbox: page cache a
 * sandbox read stays charged to its cgroup after its processes are gone, and would count in the
 * next one's peak and against its limit. */
static bool kept[NCONTROLLERS];
static bool keepable(int controller) { return controller != MEMORY; }
/* What the slot's cpuset and pids cgroups hold now: "" is every CPU of the group, 0 no pids limit. */
static char cpus_now[CPUS_TEXT];
static long long pids_now;

static void path_of(char *out, size_t size, int controller, const char *file) {
  snprintf(out, size, "%s/%s", dirs[controller], file);
}

static void slot_dir(char *out, size_t size, int controller, const char *group, int slot) {
  snprintf(out, size, "/sys/fs/cgroup/%s/%s/slot-%d", controllers[controller], group, slot);
}

static void v1_sweep(const char *group, int slot) {
  char dir[512], file[600], legacy[512];
  /* Earlier versions froze a sandbox at an incident: such a leftover dies only once thawed. */
  snprintf(legacy, sizeof legacy, "/sys/fs/cgroup/freezer/%s/slot-%d", group, slot);
  snprintf(file, sizeof file, "%s/freezer.state", legacy);
  write_file(file, "THAWED");
  for (int c = 0; c < NCONTROLLERS; c++) {
    slot_dir(dir, sizeof dir, c, group, slot);
    snprintf(file, sizeof file, "%s/cgroup.procs", dir);
    kill_pids_in(file, 100);
    if (remove_cgroup_dir(dir) < 0) die_errno("remove leftover cgroup %s", dir);
    kept[c] = false;
  }
  if (remove_cgroup_dir(legacy) < 0) die_errno("remove leftover cgroup %s", legacy);
}

/* The group directory is made once; cpuset children inherit cpus/mems through clone_children. */
/* Made once per process (its group name never changes), and again if someone removed it. */
static bool ensured[NCONTROLLERS];

static void ensure_group(int controller, const char *group) {
  if (ensured[controller]) return;
  ensured[controller] = true;
  char dir[512], file[600], value[4096];
  snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s/%s", controllers[controller], group);
  if (mkdir(dir, 0755) < 0) {
    if (errno == EEXIST) return;
    die_errno("mkdir %s (is the %s controller mounted at /sys/fs/cgroup/%s?)", dir, controllers[controller],
              controllers[controller]);
  }
  if (controller != CPUSET) return;
  const char *inherited[] = {"cpuset.cpus", "cpuset.mems"};
  for (int i = 0; i < 2; i++) {
    snprintf(file, sizeof file, "/sys/fs/cgroup/cpuset/%s", inherited[i]);
    if (read_file(file, value, sizeof value) < 0) die_errno("read %s", file);
    snprintf(file, sizeof file, "%s/%s", dir, inherited[i]);
    if (write_file(file, "%s", value) < 0) die_errno("write %s", file);
  }
  snprintf(file, sizeof file, "%s/cgroup.clone_children", dir);
  if (write_file(file, "1") < 0) die_errno("write %s", file);
}

static void set_cpus(const char *cpus);

/* A new cgroup of `controller` for the slot, in its group. */
static void make_slot_dir(int controller, const char *group) {
  if (controller == CPUSET) cpus_now[0] = '\0'; /* inherited from the group (clone_children) */
  if (controller == PIDS) pids_now = 0;
  if (mkdir(dirs[controller], 0755) == 0) return;
  if (errno == ENOENT) { /* the group went since we made it */
    ensured[controller] = false;
    ensure_group(controller, group);
    if (mkdir(dirs[controller], 0755) == 0) return;
  }
  die_errno("mkdir %s", dirs[controller]);
}

static void v1_create(const char *group, int slot, const char *cpus) {
  for (int c = 0; c < NCONTROLLERS; c++) {
    ensure_group(c, group);
    slot_dir(dirs[c], sizeof dirs[c], c, group, slot);
    if (kept[c] && access(dirs[c], F_OK) == 0) continue;
    kept[c] = false;
    make_slot_dir(c, group);
  }
  created = true;
  if (cpus) {
    set_cpus(cpus);
  } else if (cpus_now[0]) { /* a kept cpuset pinned for an earlier sandbox: back to the group's CPUs */
    char path[600], value[4096];
    snprintf(path, sizeof path, "/sys/fs/cgroup/cpuset/%s/cpuset.cpus", group);
    if (read_file(path, value, sizeof value) < 0) die_errno("read %s", path);
    set_cpus(value);
    cpus_now[0] = '\0';
  }
}

static void set_value(int controller, const char *file, const char *fmt, long long value) {
  char path[600];
  path_of(path, sizeof path, controller, file);
  if (write_file(path, fmt, value) < 0) die_errno("write %s", path);
}

/* Joining a cpuset cgroup sets a task's affinity to its CPUs (cpuset(7)), so they are written before. */
static void set_cpus(const char *cpus) {
  char path[600];
  path_of(path, sizeof path, CPUSET, "cpuset.cpus");
  write_cpus(path, cpus, cpus_now);
}

static void v1_apply_limits(const struct limits *limits) {
  char path[600];
  if (limits->memory_bytes) {
    set_value(MEMORY, "memory.limit_in_bytes", "%lld", limits->memory_bytes);
    /* memsw exists only with swap accounting; where it does, memory+swap gets the same limit. */
    path_of(path, sizeof path, MEMORY, "memory.memsw.limit_in_bytes");
    if (access(path, F_OK) == 0) set_value(MEMORY, "memory.memsw.limit_in_bytes", "%lld", limits->memory_bytes);
  }
  if (limits->pids != pids_now) { /* a kept cgroup may hold an earlier run's limit */
    path_of(path, sizeof path, PIDS, "pids.max");
    int written = limits->pids ? write_file(path, "%lld", (long long)limits->pids) : write_file(path, "max");
    if (written < 0) die_errno("write %s", path);
    pids_now = limits->pids;
  }
  if (limits->cpuset) set_cpus(limits->cpuset);
}

static void v1_join_self(void) {
  char path[600];
  for (int c = 0; c < NCONTROLLERS; c++) {
    path_of(path, sizeof path, c, "cgroup.procs");
    if (write_file(path, "0") < 0) die_errno("join %s", path);
  }
}

static int v1_read_cpu_us(int64_t *cpu_us) {
  char path[600];
  path_of(path, sizeof path, CPUACCT, "cpuacct.usage");
  int64_t ns = read_int_file(path);
  if (ns < 0) return -1;
  *cpu_us = ns / 1000;
  return 0;
}

static void v1_reset_peak(void) {
  char path[600];
  path_of(path, sizeof path, MEMORY, "memory.max_usage_in_bytes");
  write_file(path, "0");
}

static void v1_read_stats(struct cgroup_stats *stats) {
  char path[600];
  v1_read_cpu_us(&stats->cpu_us);
  path_of(path, sizeof path, MEMORY, "memory.max_usage_in_bytes");
  stats->memory_peak_bytes = read_int_file(path);
  path_of(path, sizeof path, MEMORY, "memory.oom_control");
  stats->oom_kills = read_keyed_value(path, "oom_kill");
  path_of(path, sizeof path, MEMORY, "memory.failcnt");
  stats->memory_limit_hits = read_int_file(path);
}

static void v1_kill_all(bool stopped) {
  char path[600];
  path_of(path, sizeof path, PIDS, "cgroup.procs");
  kill_pids_in(path, stopped ? 1 : 100);
}

static void v1_procs_file(char *out, size_t size) { path_of(out, size, PIDS, "cgroup.procs"); }

/* The last process of a sandbox leaves its cgroups a moment after it died: wait briefly. */
static bool slot_empty(void) {
  char path[600];
  path_of(path, sizeof path, PIDS, "pids.current");
  for (int attempt = 0; attempt < 200; attempt++) {
    if (read_int_file(path) == 0) return true;
    usleep(500);
  }
  return false;
}

/* The memory cgroup goes; the others are kept for the next sandbox when no process is left in
 * them, else removed (or, failing that, swept by the next holder of the slot). */
static bool v1_destroy(void) {
  if (!created) return false;
  bool empty = slot_empty(), removed = true;
  for (int c = 0; c < NCONTROLLERS; c++) {
    kept[c] = keepable(c) && empty;
    if (!kept[c]) removed &= remove_cgroup_dir(dirs[c]) == 0;
  }
  created = false;
  return removed;
}

/* The process is done with its slot: the cgroups it kept go too. */
static void v1_release(void) {
  for (int c = 0; c < NCONTROLLERS; c++) {
    if (kept[c]) remove_cgroup_dir(dirs[c]);
    kept[c] = false;
  }
}

const struct cgroup_backend cgroup_v1_backend = {
    .name = "v1",
    .sweep = v1_sweep,
    .create = v1_create,
    .apply_limits = v1_apply_limits,
    .join_self = v1_join_self,
    .read_cpu_us = v1_read_cpu_us,
    .reset_peak = v1_reset_peak,
    .read_stats = v1_read_stats,
    .kill_all = v1_kill_all,
    .procs_file = v1_procs_file,
    .destroy = v1_destroy,
    .release = v1_release,
};
