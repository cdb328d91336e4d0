/* Copies folders into /box and out of it. Nothing in them is trusted: no link is followed, only
 * directories, regular files and (inward) symlinks are copied, owners are ours, holes stay holes.
 *
 * Into /box (copy_into_box): sources are laid one after the other; a later source's entry replaces
 * whatever an earlier one left at its path (a file, a link, a folder where a file goes), folders
 * merge. Links stay links: inside the sandbox they lead only to the sandbox's own files.
 * Out of /box (export_box_tree, into an empty host folder): links are dropped (counted), since root
 * on the host must never follow what the sandbox made, and the bytes and entries are capped at what
 * the scratch tmpfs could hold (hard links would otherwise multiply a file on the host's disk). */
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

struct copy {
  bool out;                        /* to the host: links dropped, caps apply */
  uid_t uid;
  gid_t gid;
  const struct export_caps *caps;  /* out only */
  struct export_stats *stats;      /* out only */
};

/* A failure to write: inward, a full scratch tmpfs is the submission's size, not our fault. */
static void __attribute__((noreturn)) write_failed(const struct copy *c, const char *what, const char *name) {
  if (!c->out && (errno == ENOSPC || errno == EDQUOT))
    die_input("box_too_large", "the submission does not fit in /box (the sandbox's scratch space)");
  die_errno("%s %s", what, name);
}

/* Outward, every entry and every byte of data counts against what the scratch could hold. */
static void charge(const struct copy *c, int64_t entries, int64_t bytes) {
  if (!c->out) return;
  c->stats->entries += entries;
  c->stats->bytes += bytes;
  if (c->stats->entries > c->caps->max_entries)
    die_input("box_out_too_large", "/box holds more than %lld files and folders", (long long)c->caps->max_entries);
  if (c->stats->bytes > c->caps->max_bytes)
    die_input("box_out_too_large", "/box holds more than %lld bytes of file data (a hard link counts as a copy)",
              (long long)c->caps->max_bytes);
}

/* Only the data of a file is copied; its holes stay holes (lseek(2) SEEK_DATA/SEEK_HOLE), so a sparse
 * file costs its data, not its apparent size. */
static void copy_data(const struct copy *c, int in, int out, off_t size, const char *name) {
  off_t data = 0;
  while (data < size) {
    data = lseek(in, data, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break; /* a hole up to the end */
    off_t hole = data < 0 ? -1 : lseek(in, data, SEEK_HOLE);
    if (hole < 0) die_errno("find the data of %s", name);
    if (hole > size) hole = size;
    charge(c, 0, hole - data);
    if (lseek(out, data, SEEK_SET) < 0) die_errno("seek in the copy of %s", name);
    off_t offset = data;
    while (offset < hole) {
      ssize_t n = sendfile(out, in, &offset, hole - offset > (1 << 30) ? (1 << 30) : hole - offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) write_failed(c, "copy", name);
      if (n == 0) break; /* the file shrank */
    }
    data = hole;
  }
  if (ftruncate(out, size) < 0) write_failed(c, "set the size of", name); /* a trailing hole */
}

static void copy_file(const struct copy *c, int src_dirfd, int dst_dirfd, const char *name, mode_t mode) {
  int in = openat(src_dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (in < 0) die_errno("open %s", name);
  struct stat st;
  if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) die("%s changed while it was copied", name);
  int out = openat(dst_dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) write_failed(c, "create", name);
  copy_data(c, in, out, st.st_size, name);
  if (fchown(out, c->uid, c->gid) < 0 || fchmod(out, (mode & 0777) | 0600) < 0) die_errno("set owner of %s", name);
  close(in);
  close(out);
}

/* Removes an entry of /box with everything under it, following no link (only our own copies are
 * there yet: no untrusted code has run in this sandbox). */
static void remove_entry(int dirfd, const char *name, bool is_dir, int depth) {
  if (is_dir) {
    if (depth > MAX_DEPTH) die("/box nests folders deeper than %d", MAX_DEPTH);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int listing = fd < 0 ? -1 : dup(fd);
    DIR *dir = listing < 0 ? NULL : fdopendir(listing);
    if (!dir) die_errno("list %s in /box", name);
    struct dirent *entry;
    while ((entry = readdir(dir))) {
      if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
      struct stat st;
      if (fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) die_errno("stat %s in /box", entry->d_name);
      remove_entry(fd, entry->d_name, S_ISDIR(st.st_mode), depth + 1);
    }
    closedir(dir);
    close(fd);
  }
  if (unlinkat(dirfd, name, is_dir ? AT_REMOVEDIR : 0) < 0) die_errno("replace %s in /box", name);
}

/* Inward, a later source wins: what an earlier one left at `name` goes, unless both are folders,
 * which merge. True when a folder is there to merge into. */
static bool make_room(const struct copy *c, int dst_dirfd, const char *name, bool is_dir, int depth) {
  struct stat st;
  if (c->out) return false; /* the host folder started empty and only we write it */
  if (fstatat(dst_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    die_errno("stat %s in /box", name);
  }
  if (is_dir && S_ISDIR(st.st_mode)) return true;
  remove_entry(dst_dirfd, name, S_ISDIR(st.st_mode), depth);
  return false;
}

static void copy_dir(const struct copy *c, int src_dirfd, int dst_dirfd, int depth);

static void copy_subdir(const struct copy *c, int src_dirfd, int dst_dirfd, const char *name, mode_t mode, int depth) {
  if (!make_room(c, dst_dirfd, name, true, depth) && mkdirat(dst_dirfd, name, 0700) < 0) write_failed(c, "mkdir", name);
  int src = openat(src_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int dst = openat(dst_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (src < 0 || dst < 0) die_errno("open folder %s", name);
  copy_dir(c, src, dst, depth + 1);
  if (fchown(dst, c->uid, c->gid) < 0 || fchmod(dst, (mode & 0777) | 0700) < 0) die_errno("set owner of %s", name);
  close(src);
  close(dst);
}

static void copy_link(const struct copy *c, int src_dirfd, int dst_dirfd, const char *name, int depth) {
  if (c->out) {
    c->stats->links_dropped++;
    return;
  }
  char target[4096];
  ssize_t n = readlinkat(src_dirfd, name, target, sizeof target - 1);
  if (n < 0) die_errno("readlink %s", name);
  target[n] = 0;
  make_room(c, dst_dirfd, name, false, depth);
  if (symlinkat(target, dst_dirfd, name) < 0) write_failed(c, "symlink", name);
  if (fchownat(dst_dirfd, name, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) < 0) die_errno("set owner of %s", name);
}

static void copy_dir(const struct copy *c, int src_dirfd, int dst_dirfd, int depth) {
  if (depth > MAX_DEPTH) {
    if (c->out) die_input("box_out_too_deep", "/box holds folders nested deeper than %d", MAX_DEPTH);
    die_input("box_too_deep", "the submission nests folders deeper than %d", MAX_DEPTH);
  }
  int listing = dup(src_dirfd);
  DIR *dir = listing < 0 ? NULL : fdopendir(listing);
  if (!dir) die_errno("list a folder");
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    const char *name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    struct stat st;
    if (fstatat(src_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) die_errno("stat %s", name);
    charge(c, 1, 0);
    if (S_ISDIR(st.st_mode)) {
      copy_subdir(c, src_dirfd, dst_dirfd, name, st.st_mode, depth);
    } else if (S_ISREG(st.st_mode)) {
      make_room(c, dst_dirfd, name, false, depth);
      copy_file(c, src_dirfd, dst_dirfd, name, st.st_mode);
    } else if (S_ISLNK(st.st_mode)) {
      copy_link(c, src_dirfd, dst_dirfd, name, depth);
    } /* FIFOs, sockets and devices are left out. */
  }
  closedir(dir);
}

void copy_into_box(int src_dirfd, int box_dirfd, uid_t uid, gid_t gid) {
  struct copy c = {.out = false, .uid = uid, .gid = gid};
  copy_dir(&c, src_dirfd, box_dirfd, 0);
}

void export_box_tree(int box_dirfd, int dst_dirfd, const struct export_caps *caps, struct export_stats *stats) {
  struct copy c = {.out = true, .uid = 0, .gid = 0, .caps = caps, .stats = stats};
  copy_dir(&c, box_dirfd, dst_dirfd, 0);
}
