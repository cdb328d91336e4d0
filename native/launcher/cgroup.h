/* The two cgroup backends share these function names and are chosen at run time (nsjail style). */
#ifndef GRADEBOX_CGROUP_H
#define GRADEBOX_CGROUP_H

#include "launcher.h"

struct cgroup_backend {
  const char *name;
  void (*sweep)(const char *group, int slot);
  void (*create)(const char *group, int slot, const char *cpus);
  void (*apply_limits)(const struct limits *limits);
  void (*join_self)(void);
  int (*read_cpu_us)(int64_t *cpu_us);
  void (*reset_peak)(void);
  void (*read_stats)(struct cgroup_stats *stats);
  void (*kill_all)(bool stopped);
  void (*procs_file)(char *out, size_t size);
  /* Removes the sandbox's cgroups; true when none is left but those kept, empty, for the next one. */
  bool (*destroy)(void);
  /* Removes the cgroups kept for a next sandbox; NULL where none are kept. */
  void (*release)(void);
  /* A descriptor of the sandbox's cgroup to clone its init into (the caller closes it); NULL
   * where a process cannot be born in its cgroup (v1). */
  int (*clone_into_fd)(void);
};

extern const struct cgroup_backend cgroup_v1_backend;
extern const struct cgroup_backend cgroup_v2_backend;

#endif
