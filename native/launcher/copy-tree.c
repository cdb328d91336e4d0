/* Copies the submission's folder into /box. Nothing in it is trusted: no link is followed,
 * only directories, regular files and symlinks (kept as links) are copied, owners are ours. */
#include "launcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 64

static void copy_file(int src_dirfd, int dst_dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid) {
  int in = openat(src_dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (in < 0) die_errno("open %s in the submission", name);
  struct stat st;
  if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) die("%s in the submission changed while it was copied", name);
  int out = openat(dst_dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0 && errno == ENOSPC) die_input("box_too_large", "the submission has more files than /box can hold");
  if (out < 0) die_errno("create %s in /box", name);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(out, in, NULL, left > (1 << 30) ? (1 << 30) : left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSPC) die_input("box_too_large", "the submission does not fit in /box (the sandbox's scratch space)");
    if (n < 0) die_errno("copy %s into /box", name);
    if (n == 0) break;
    left -= n;
  }
  if (fchown(out, uid, gid) < 0 || fchmod(out, (mode & 0777) | 0600) < 0) die_errno("set owner of %s", name);
  close(in);
  close(out);
}

static void copy_dir(int src_dirfd, int dst_dirfd, uid_t uid, gid_t gid, int depth) {
  if (depth > MAX_DEPTH) die("the submission nests folders deeper than %d", MAX_DEPTH);
  int listing = dup(src_dirfd);
  DIR *dir = listing < 0 ? NULL : fdopendir(listing);
  if (!dir) die_errno("list a submission folder");
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    const char *name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    struct stat st;
    if (fstatat(src_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) die_errno("stat %s", name);
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dst_dirfd, name, 0700) < 0) die_errno("mkdir %s in /box", name);
      int src = openat(src_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int dst = openat(dst_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0 || dst < 0) die_errno("open folder %s", name);
      copy_dir(src, dst, uid, gid, depth + 1);
      if (fchown(dst, uid, gid) < 0 || fchmod(dst, (st.st_mode & 0777) | 0700) < 0) die_errno("set owner of %s", name);
      close(src);
      close(dst);
    } else if (S_ISREG(st.st_mode)) {
      copy_file(src_dirfd, dst_dirfd, name, st.st_mode, uid, gid);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(src_dirfd, name, target, sizeof target - 1);
      if (n < 0) die_errno("readlink %s", name);
      target[n] = 0;
      if (symlinkat(target, dst_dirfd, name) < 0) die_errno("symlink %s in /box", name);
      if (fchownat(dst_dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) die_errno("set owner of %s", name);
    } /* FIFOs, sockets and devices are left out. */
  }
  closedir(dir);
}

void copy_tree(int src_dirfd, int dst_dirfd, uid_t uid, gid_t gid) { copy_dir(src_dirfd, dst_dirfd, uid, gid, 0); }
