/* The sandbox's file system, built in its own mount namespace while still host root:
 * a size-capped scratch tmpfs holds every writable place (overlay upper/work, /box, /tmp, /dev);
 * the root is an overlay over a read-only skeleton, runtime layers are read-only binds on it. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void make_dir(const char *base, const char *name, mode_t mode) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", base, name);
  if (mkdir(path, mode) < 0) die_errno("mkdir %s", path);
  if (chmod(path, mode) < 0) die_errno("chmod %s", path); /* mkdir applies the umask */
}

/* Recursive read-only, nosuid, nodev for a bind mount and everything under it (mount_setattr(2)). */
static void make_readonly(const char *path) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
  if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof attr) < 0)
    die_errno("make %s read-only", path);
}

static void bind_mount(const char *src, const char *dst, bool readonly) {
  if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) die_errno("bind %s on %s", src, dst);
  if (readonly) make_readonly(dst);
}

static void setup_dev(const char *scratch, const char *root) {
  static const char *const devices[] = {"null", "zero", "full", "random", "urandom"};
  char src[4096], dst[4096];
  for (size_t i = 0; i < sizeof devices / sizeof *devices; i++) {
    snprintf(dst, sizeof dst, "%s/dev/%s", scratch, devices[i]);
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) die_errno("create %s", dst);
    close(fd);
    snprintf(src, sizeof src, "/dev/%s", devices[i]);
    snprintf(dst, sizeof dst, "%s/dev/%s", root, devices[i]);
    if (mount(src, dst, NULL, MS_BIND, NULL) < 0) die_errno("bind %s", src);
  }
  static const char *const links[][2] = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    snprintf(dst, sizeof dst, "%s/dev/%s", scratch, links[i][1]);
    if (symlink(links[i][0], dst) < 0) die_errno("symlink %s", dst);
  }
}

int64_t scratch_inodes(int64_t scratch_bytes) { return scratch_bytes / 4096 + 1024; }

void setup_rootfs(const struct config *cfg, int sync_fd) {
  char scratch[2048], root[2048], path[4096], options[4096];
  snprintf(scratch, sizeof scratch, "%s/scratch", cfg->state_dir);
  snprintf(root, sizeof root, "%s/root", cfg->state_dir);

  /* Nothing we mount may propagate back to the host (mount_namespaces(7)). */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die_errno("make / private");

  snprintf(options, sizeof options, "size=%lld,nr_inodes=%lld,mode=0755", (long long)cfg->scratch_bytes,
           (long long)scratch_inodes(cfg->scratch_bytes));
  if (mount("gradebox", scratch, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) die_errno("mount scratch tmpfs");
  make_dir(scratch, "upper", 0755);
  make_dir(scratch, "work", 0755);
  make_dir(scratch, "box", 0755);
  make_dir(scratch, "tmp", 01777);
  make_dir(scratch, "dev", 0755);
  make_dir(scratch, "dev/shm", 01777);
  make_dir(scratch, "lower", 0755);
  /* The supervisor keeps a handle on everything the sandbox can write, for evidence. */
  int scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (scratch_fd < 0) die_errno("open %s", scratch);
  send_fd(sync_fd, MSG_SCRATCH, scratch_fd);
  close(scratch_fd);

  /* The overlay's layers are named relative to the scratch, our working directory for this mount,
   * with the skeleton bound at scratch/lower: the sandbox's /proc/self/mountinfo then reads
   * "lowerdir=lower,upperdir=upper,workdir=work" and names no host path (overlayfs keeps the names
   * as given). The scratch and that bind stay under the old root, detached below. */
  snprintf(path, sizeof path, "%s/lower", scratch);
  bind_mount(cfg->root_lower, path, false);
  if (chdir(scratch) < 0) die_errno("chdir %s", scratch);
  if (mount("gradebox", root, "overlay", MS_NOSUID | MS_NODEV, "lowerdir=lower,upperdir=upper,workdir=work") < 0)
    die_errno("mount overlay root (lower %s)", cfg->root_lower);

  for (int i = 0; i < cfg->nbinds; i++) {
    snprintf(path, sizeof path, "%s%s", root, cfg->binds[i].dst);
    bind_mount(cfg->binds[i].src, path, true);
  }
  const char *writable[] = {"box", "tmp", "dev"};
  for (int i = 0; i < 3; i++) {
    char src[4096];
    snprintf(src, sizeof src, "%s/%s", scratch, writable[i]);
    snprintf(path, sizeof path, "%s/%s", root, writable[i]);
    bind_mount(src, path, false);
  }
  setup_dev(scratch, root);
  snprintf(path, sizeof path, "%s/proc", root);
  if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) die_errno("mount /proc");

  /* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only ours. */
  if (chdir(root) < 0) die_errno("chdir %s", root);
  if (syscall(SYS_pivot_root, ".", ".") < 0) die_errno("pivot_root");
  if (umount2(".", MNT_DETACH) < 0) die_errno("detach the host root");
  if (chdir("/") < 0) die_errno("chdir /");
}

/* A new network namespace has only a loopback device, and it is down. */
void bring_up_loopback(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket for loopback");
  struct ifreq ifr = {0};
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) die_errno("get lo flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) die_errno("bring lo up");
  close(fd);
}
