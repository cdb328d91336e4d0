/* Slots: each concurrent sandbox holds a lock on one slot, which gives it a host uid/gid range
 * and a cgroup name of its own. The lock dies with the process, so a crashed run frees its slot.
 * A process keeps the slot it took for the sandboxes it builds one after another (a supervisor
 * serves many), so it knows what that slot's cgroups hold: it removed them itself. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

bool try_slot(const char *state_dir, int slot, int *lock_fd) {
  char path[4096];
  snprintf(path, sizeof path, "%s/slots/%d.lock", state_dir, slot);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) die_errno("open %s", path);
  if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
    *lock_fd = fd;
    return true;
  }
  if (errno != EWOULDBLOCK) die_errno("flock %s", path);
  close(fd);
  return false;
}

static int held = -1, held_fd = -1;

int held_slot_fd(void) { return held_fd; }

int acquire_slot(const char *state_dir) {
  if (held >= 0) return held;
  char path[4096];
  snprintf(path, sizeof path, "%s/slots", state_dir);
  if (ensure_dir(path, 0700) < 0) die_errno("mkdir %s", path);
  /* Start at a pid-derived slot so that concurrent launchers rarely contend for the same lock. */
  int start = getpid() % MAX_SLOTS;
  for (int i = 0; i < MAX_SLOTS; i++) {
    int slot = (start + i) % MAX_SLOTS;
    if (try_slot(state_dir, slot, &held_fd)) return held = slot;
  }
  die("all %d sandbox slots are busy", MAX_SLOTS);
}
