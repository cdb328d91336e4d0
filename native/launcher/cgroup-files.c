/* Files of a cgroup directory, the same on v1 and v2: listing and killing its processes, reading its
 * counters, removing it. Both backends use these; the dispatcher in cgroup.c uses the backends. */
#include "cgroup-files.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launcher.h"

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

/* Each write of cpuset.cpus takes the kernel's global cpuset lock and revisits every task of the
 * cgroup (cpuset(7)): a run pinned where its sandbox was built, or a kept cgroup already pinned
 * there, writes nothing. A list too long to remember is written every time ("?" never matches). */
void write_cpus(const char *path, const char *cpus, char now[CPUS_TEXT]) {
  if (strcmp(cpus, now) == 0) return;
  if (write_file(path, "%s", cpus) < 0) die_errno("write %s = %s", path, cpus);
  snprintf(now, CPUS_TEXT, "%s", strlen(cpus) < CPUS_TEXT ? cpus : "?");
}
