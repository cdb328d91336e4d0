/* The cgroup file helpers both backends share (cgroup-files.c). */
#ifndef GRADEBOX_CGROUP_FILES_H
#define GRADEBOX_CGROUP_FILES_H

#include <stdint.h>

/* SIGKILL to every pid listed in `procs_path`, for up to `rounds` rounds until a read lists none. */
void kill_pids_in(const char *procs_path, int rounds);
/* rmdir, retried while the kernel still says EBUSY; 0 when gone. */
int remove_cgroup_dir(const char *path);
/* The integer a counter file holds; -1 if unreadable. */
int64_t read_int_file(const char *path);
/* Value of "key N" in a flat keyed file such as memory.events or cpu.stat; -1 if absent. */
int64_t read_keyed_value(const char *path, const char *key);
/* What a cpuset.cpus file holds, as last written by us ("": what the cgroup was made with). */
#define CPUS_TEXT 256
/* Writes `cpus` to the cpuset.cpus file `path` unless `now` says it holds them already; `now` follows. */
void write_cpus(const char *path, const char *cpus, char now[CPUS_TEXT]);

#endif
