/* The evidence snapshot: archives everything a frozen sandbox could write, plus a JSON manifest.
 * Every name and byte below the roots is controlled by the sandbox, and judge escapes have come from the
 * trusted side touching such files. So the walk goes one name at a time relative to directory fds, never
 * follows a link, opens only directories and regular files and checks that what it opened is what it
 * looked at, never leaves the scratch filesystem, and caps what it reads.
 * Hard links are stored as separate full copies (each counts against the byte cap). */
#include "snapshot.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define IO_CHUNK (1 << 20)
#define MAX_EXTENTS 1024 /* data extents kept per sparse file; past that the rest is stored as plain data */
#define NAME_CAP 256     /* NAME_MAX + 1 */
#define PATH_CAP ((SNAPSHOT_MAX_DEPTH + 2) * NAME_CAP)
#define LINK_CAP 4096 /* PATH_MAX: no Linux filesystem stores a longer symlink target */

/* O_NONBLOCK: a FIFO swapped in opens without waiting for a writer, and a lease the sandbox holds makes open
 * fail with EWOULDBLOCK instead of waiting for the lease to break (fcntl(2), F_SETLEASE).
 * O_NOCTTY: a terminal can never become our controlling tty. A device swapped in between fstatat and openat
 * would be opened before fstat rejects it, but the sandbox cannot make one: mknod needs CAP_MKNOD in the
 * initial namespace (an overlay whiteout, 0:0, opens as ENXIO), and a bind-mounted /dev node cannot be
 * renamed or linked into the walked trees (EBUSY, EXDEV). */
#define OPEN_CONTENT (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define OPEN_DIR (OPEN_CONTENT | O_DIRECTORY)
/* O_PATH pins the symlink itself, so the target we read belongs to the inode we checked. */
#define OPEN_LINK (O_PATH | O_NOFOLLOW | O_CLOEXEC)

enum cap { CAP_ENTRIES = 1, CAP_BYTES = 2, CAP_FILE_BYTES = 4, CAP_DEPTH = 8 };
static const char *const cap_names[] = {"max_entries", "max_bytes", "max_file_bytes", "max_depth"};

/* The archive's bytes on their way to the file, hashed as they pass. */
struct sink {
  int fd;
  EVP_MD_CTX *sha;
  uint64_t bytes;
};

struct extent {
  uint64_t offset, length;
};

struct walk {
  const struct snapshot_limits *limits;
  dev_t dev; /* of the scratch filesystem: nothing on another one is opened */
  struct archive *archive;
  struct sink sink;
  FILE *manifest;
  int manifest_fd;
  bool made_archive, made_manifest, first_record;
  EVP_MD_CTX *file_sha;
  unsigned char *buf, *zeros;
  char path[PATH_CAP]; /* of the current entry, relative to the scratch root */
  size_t path_len;
  struct extent extents[MAX_EXTENTS];
  uint64_t entries, bytes, errors;
  uint64_t left_entries, left_bytes; /* lower bounds of what was left out */
  unsigned caps;
  char *err;
  size_t errlen;
};

/* One manifest entry. */
struct record {
  const char *type;
  const struct stat *st; /* NULL when even fstatat failed */
  bool archived;
  const char *error; /* why it is missing or incomplete */
  const char *target;
  size_t target_len;
  const char *sha256; /* regular files: of the stored bytes */
  uint64_t stored_size;
  bool sparse, truncated;
  const char *not_descended;
};

static int fail(struct walk *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->err, w->errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static void to_hex(const unsigned char *digest, unsigned len, char *hex) {
  for (unsigned i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* ---- the manifest ---- */

/* Names and link targets are bytes, not text: every byte outside printable ASCII (and '"', '\') is
 * escaped, non-ASCII ones as \u00XX. So a JSON string decodes to one code point per byte, and reading it
 * back as Latin-1 gives the exact bytes, valid UTF-8 or not. */
static void json_bytes(FILE *out, const char *s, size_t len) {
  putc('"', out);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20 || c > 0x7e)
      fprintf(out, "\\u%04x", c);
    else
      putc(c, out);
  }
  putc('"', out);
}

static const char *type_name(const struct stat *st) {
  switch (st->st_mode & S_IFMT) {
  case S_IFREG: return "file";
  case S_IFDIR: return "dir";
  case S_IFLNK: return "symlink";
  case S_IFIFO: return "fifo";
  case S_IFSOCK: return "socket";
  case S_IFBLK: return "block";
  case S_IFCHR: return st->st_rdev == 0 ? "whiteout" : "char"; /* 0:0 marks a file deleted in an overlay */
  default: return "unknown";
  }
}

static void record_stat(FILE *m, const struct stat *st) {
  fprintf(m, ",\"size\":%" PRIu64 ",\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,\"nlink\":%" PRIu64, (uint64_t)st->st_size,
          (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, (unsigned)st->st_gid, (uint64_t)st->st_nlink);
  fprintf(m, ",\"mtime\":%lld,\"mtime_nsec\":%ld", (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
  if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
    fprintf(m, ",\"rdev\":\"%u:%u\"", major(st->st_rdev), minor(st->st_rdev));
}

/* Write errors of the manifest are caught once, when it is flushed at the end. */
static void manifest_record(struct walk *w, const struct record *r) {
  FILE *m = w->manifest;
  fputs(w->first_record ? "\n{\"path\":" : ",\n{\"path\":", m);
  w->first_record = false;
  json_bytes(m, w->path, w->path_len);
  fprintf(m, ",\"type\":\"%s\",\"archived\":%s", r->type, r->archived ? "true" : "false");
  if (r->st) record_stat(m, r->st);
  if (r->target) {
    fputs(",\"target\":", m);
    json_bytes(m, r->target, r->target_len);
  }
  if (r->sha256)
    fprintf(m, ",\"sha256\":\"%s\",\"stored_size\":%" PRIu64 ",\"sparse\":%s,\"truncated\":%s", r->sha256,
            r->stored_size, r->sparse ? "true" : "false", r->truncated ? "true" : "false");
  if (r->not_descended) fprintf(m, ",\"not_descended\":\"%s\"", r->not_descended);
  if (r->error) {
    fputs(",\"error\":", m);
    json_bytes(m, r->error, strlen(r->error));
    w->errors++;
  }
  fputc('}', m);
}

/* ---- the archive ---- */

static la_ssize_t sink_write(struct archive *a, void *data, const void *buf, size_t len) {
  struct sink *sink = data;
  for (size_t done = 0; done < len;) {
    ssize_t n = write(sink->fd, (const char *)buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(a, errno, "write the archive file: %s", strerror(errno));
      return -1;
    }
    done += (size_t)n;
  }
  if (EVP_DigestUpdate(sink->sha, buf, len) != 1) {
    archive_set_error(a, EIO, "EVP_DigestUpdate of the archive failed");
    return -1;
  }
  sink->bytes += len;
  return (la_ssize_t)len;
}

static struct archive_entry *new_entry(struct walk *w, const struct stat *st) {
  struct archive_entry *e = archive_entry_new();
  if (!e) return NULL;
  archive_entry_copy_stat(e, st); /* ids and modes as the sandbox left them; no user name lookups */
  archive_entry_copy_pathname(e, w->path);
  return e;
}

/* 0: written; 1: this entry was refused (why says so); -1: the archive is broken. Frees e. */
static int add_header(struct walk *w, struct archive_entry *e, char *why, size_t whylen) {
  if (!e) return fail(w, "archive_entry_new: out of memory");
  int rc = archive_write_header(w->archive, e);
  archive_entry_free(e);
  if (rc >= ARCHIVE_WARN) return 0;
  if (rc == ARCHIVE_FAILED) {
    snprintf(why, whylen, "archive_write_header: %s", archive_error_string(w->archive));
    return 1;
  }
  return fail(w, "archive_write_header: %s", archive_error_string(w->archive));
}

/* ---- opening what the sandbox left, safely ---- */

/* Opens a name only if it is still the inode fstatat saw: a swap in between is refused, not followed. */
static int open_verified(int dirfd, const char *name, const struct stat *seen, int flags, char *why, size_t whylen) {
  int fd = openat(dirfd, name, flags);
  if (fd < 0) {
    snprintf(why, whylen, "openat: %s", strerror(errno));
    return -1;
  }
  struct stat now;
  if (fstat(fd, &now) < 0) {
    snprintf(why, whylen, "fstat: %s", strerror(errno));
    close(fd);
    return -1;
  }
  if (now.st_dev != seen->st_dev || now.st_ino != seen->st_ino || (now.st_mode & S_IFMT) != (seen->st_mode & S_IFMT)) {
    snprintf(why, whylen, "replaced between fstatat and openat: not read");
    close(fd);
    return -1;
  }
  return fd;
}

/* ---- regular files ---- */

/* How many bytes of a file the caps let us store. */
static uint64_t plan_size(struct walk *w, uint64_t size) {
  uint64_t keep = size, room = w->limits->max_bytes - w->bytes;
  if (keep > w->limits->max_file_bytes) {
    keep = w->limits->max_file_bytes;
    w->caps |= CAP_FILE_BYTES;
  }
  if (keep > room) {
    keep = room;
    w->caps |= CAP_BYTES;
  }
  return keep;
}

/* The data extents of [0, limit), from SEEK_DATA/SEEK_HOLE (lseek(2)), so holes cost neither archive
 * space nor reads. Where the filesystem cannot tell, everything counts as data. */
static size_t plan_extents(struct walk *w, int fd, uint64_t limit) {
  size_t n = 0;
  uint64_t pos = 0;
  while (pos < limit) {
    off_t data = lseek(fd, (off_t)pos, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break; /* only a hole is left */
    if (data < 0) data = (off_t)pos;
    if ((uint64_t)data >= limit) break;
    off_t hole = lseek(fd, data, SEEK_HOLE);
    uint64_t end = (hole <= data || (uint64_t)hole > limit) ? limit : (uint64_t)hole;
    if (n == MAX_EXTENTS) { /* too fragmented to map: the rest is stored as data, holes read as zeros */
      w->extents[n - 1].length = limit - w->extents[n - 1].offset;
      break;
    }
    w->extents[n++] = (struct extent){(uint64_t)data, end - (uint64_t)data};
    pos = end;
  }
  return n;
}

static int feed(struct walk *w, const void *buf, size_t len) {
  if (EVP_DigestUpdate(w->file_sha, buf, len) != 1) return fail(w, "EVP_DigestUpdate failed");
  la_ssize_t n = archive_write_data(w->archive, buf, len);
  if (n < 0 || (size_t)n != len)
    return fail(w, "archive_write_data: %s", n < 0 ? archive_error_string(w->archive) : "short write");
  return 0;
}

/* Holes: the pax writer skips them (they are in the sparse map), but they are hashed like any bytes. */
static int feed_zeros(struct walk *w, uint64_t len) {
  while (len > 0) {
    size_t n = len < IO_CHUNK ? (size_t)len : IO_CHUNK;
    if (feed(w, w->zeros, n) < 0) return -1;
    len -= n;
  }
  return 0;
}

/* The archive header already promised len bytes: a file that shrinks or fails is padded with zeros. */
static int feed_data(struct walk *w, int fd, uint64_t offset, uint64_t len, char *why, size_t whylen) {
  while (len > 0) {
    size_t want = len < IO_CHUNK ? (size_t)len : IO_CHUNK;
    ssize_t n = pread(fd, w->buf, want, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) snprintf(why, whylen, "pread: %s (the rest stored as zeros)", strerror(errno));
      else snprintf(why, whylen, "the file shrank while it was read (the rest stored as zeros)");
      return feed_zeros(w, len);
    }
    if (feed(w, w->buf, (size_t)n) < 0) return -1;
    offset += (uint64_t)n;
    len -= (uint64_t)n;
  }
  return 0;
}

/* Stores [0, size) extent by extent and hashes exactly those bytes (what extracting the archive gives). */
static int copy_content(struct walk *w, int fd, uint64_t size, size_t count, char *hex, char *why, size_t whylen) {
  if (EVP_DigestInit_ex(w->file_sha, EVP_sha256(), NULL) != 1) return fail(w, "EVP_DigestInit_ex failed");
  uint64_t pos = 0;
  for (size_t i = 0; i < count; i++) {
    const struct extent *x = &w->extents[i];
    if (feed_zeros(w, x->offset - pos) < 0 || feed_data(w, fd, x->offset, x->length, why, whylen) < 0) return -1;
    pos = x->offset + x->length;
  }
  if (feed_zeros(w, size - pos) < 0) return -1;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(w->file_sha, digest, &len) != 1) return fail(w, "EVP_DigestFinal_ex failed");
  to_hex(digest, len, hex);
  return 0;
}

static struct archive_entry *file_entry(struct walk *w, const struct stat *st, uint64_t size, size_t count) {
  struct archive_entry *e = new_entry(w, st);
  if (!e) return NULL;
  archive_entry_set_size(e, (la_int64_t)size);
  for (size_t i = 0; i < count; i++)
    archive_entry_sparse_add_entry(e, (la_int64_t)w->extents[i].offset, (la_int64_t)w->extents[i].length);
  /* A zero-length extent at the end marks the size, so even an all-hole file is a sparse entry. libarchive
   * drops the map when one extent covers the whole file. */
  if (size > 0) archive_entry_sparse_add_entry(e, (la_int64_t)size, 0);
  return e;
}

static int store_file(struct walk *w, int dirfd, const char *name, const struct stat *st) {
  struct record r = {.type = "file", .st = st};
  char why[160] = "", hex[2 * EVP_MAX_MD_SIZE + 1] = "";
  int fd = open_verified(dirfd, name, st, OPEN_CONTENT, why, sizeof why);
  if (fd < 0) {
    w->left_bytes += (uint64_t)st->st_size;
    r.error = why;
    manifest_record(w, &r);
    return 0;
  }
  r.stored_size = plan_size(w, (uint64_t)st->st_size);
  size_t count = plan_extents(w, fd, r.stored_size);
  r.sparse = r.stored_size > 0 && !(count == 1 && w->extents[0].offset == 0 && w->extents[0].length == r.stored_size);
  int rc = add_header(w, file_entry(w, st, r.stored_size, count), why, sizeof why);
  if (rc == 0) rc = copy_content(w, fd, r.stored_size, count, hex, why, sizeof why);
  close(fd);
  if (rc < 0) return -1;
  r.archived = rc == 0;
  if (r.archived) {
    w->bytes += r.stored_size;
    r.sha256 = hex;
    r.truncated = r.stored_size < (uint64_t)st->st_size;
  }
  w->left_bytes += (uint64_t)st->st_size - (r.archived ? r.stored_size : 0);
  if (why[0]) r.error = why;
  manifest_record(w, &r);
  return 0;
}

/* ---- symlinks, special files, directories ---- */

static int store_link(struct walk *w, int dirfd, const char *name, const struct stat *st) {
  struct record r = {.type = "symlink", .st = st};
  char why[160] = "", target[LINK_CAP];
  int fd = open_verified(dirfd, name, st, OPEN_LINK, why, sizeof why);
  ssize_t n = fd < 0 ? -1 : readlinkat(fd, "", target, sizeof target); /* "": the link fd itself */
  if (fd >= 0 && n < 0) snprintf(why, sizeof why, "readlinkat: %s", strerror(errno));
  if (n == (ssize_t)sizeof target) {
    snprintf(why, sizeof why, "readlinkat: the target is longer than %d bytes", LINK_CAP - 1);
    n = -1;
  }
  if (fd >= 0) close(fd);
  if (n >= 0) {
    target[n] = 0;
    r.target = target;
    r.target_len = (size_t)n;
    struct archive_entry *e = new_entry(w, st);
    if (e) archive_entry_copy_symlink(e, target);
    int rc = add_header(w, e, why, sizeof why);
    if (rc < 0) return -1;
    r.archived = rc == 0;
  }
  if (why[0]) r.error = why;
  manifest_record(w, &r);
  return 0;
}

/* FIFOs, sockets, devices and whiteouts are never opened, and stay out of the archive so that extracting
 * the evidence never creates a device node: the manifest alone records them. So are entries on another
 * filesystem (a mount point): nothing there was written by the sandbox into the scratch tmpfs. */
static int record_only(struct walk *w, const struct stat *st, const char *error) {
  struct record r = {.type = type_name(st), .st = st, .error = error};
  if (S_ISREG(st->st_mode)) w->left_bytes += (uint64_t)st->st_size;
  manifest_record(w, &r);
  return 0;
}

static int record_failure(struct walk *w, const char *type, const char *call, int error) {
  char why[160];
  snprintf(why, sizeof why, "%s: %s", call, strerror(error));
  struct record r = {.type = type, .error = why};
  manifest_record(w, &r);
  return 0;
}

static int visit(struct walk *w, int dirfd, const char *name, int depth);

/* Takes fd. A listing that fails part-way adds an entry of type "error" for the directory. */
static int walk_dir(struct walk *w, int fd, int depth) {
  DIR *dir = fdopendir(fd);
  if (!dir) {
    int error = errno;
    close(fd);
    return record_failure(w, "error", "fdopendir", error);
  }
  int rc = 0;
  while (rc == 0) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (!d) {
      if (errno) rc = record_failure(w, "error", "readdir", errno);
      break;
    }
    if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) rc = visit(w, dirfd(dir), d->d_name, depth);
  }
  closedir(dir);
  return rc;
}

static int store_dir(struct walk *w, int dirfd, const char *name, const struct stat *st, int depth) {
  struct record r = {.type = "dir", .st = st};
  char why[160] = "";
  int fd = -1;
  if (depth >= SNAPSHOT_MAX_DEPTH) {
    r.not_descended = "max_depth";
    w->caps |= CAP_DEPTH;
  } else {
    fd = open_verified(dirfd, name, st, OPEN_DIR, why, sizeof why);
  }
  int rc = add_header(w, new_entry(w, st), why, sizeof why);
  if (rc < 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  r.archived = rc == 0;
  if (why[0]) r.error = why;
  manifest_record(w, &r);
  return fd < 0 ? 0 : walk_dir(w, fd, depth + 1);
}

/* One name in dirfd: looked at without following it, then stored by its type. Past the entry cap names
 * are only counted (in directories already open: a lower bound). */
static int visit(struct walk *w, int dirfd, const char *name, int depth) {
  if (w->entries >= w->limits->max_entries) {
    w->caps |= CAP_ENTRIES;
    w->left_entries++;
    return 0;
  }
  size_t parent_len = w->path_len, len = strlen(name);
  if (parent_len + 1 + len >= sizeof w->path) /* cannot happen: depth and NAME_MAX bound it */
    return fail(w, "a path below the roots is longer than %d bytes", PATH_CAP);
  if (parent_len > 0) w->path[w->path_len++] = '/';
  memcpy(w->path + w->path_len, name, len + 1);
  w->path_len += len;
  w->entries++;

  struct stat st;
  int rc;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) rc = record_failure(w, "unknown", "fstatat", errno);
  else if (st.st_dev != w->dev) rc = record_only(w, &st, "on another filesystem (a mount point): not opened");
  else if (S_ISDIR(st.st_mode)) rc = store_dir(w, dirfd, name, &st, depth);
  else if (S_ISREG(st.st_mode)) rc = store_file(w, dirfd, name, &st);
  else if (S_ISLNK(st.st_mode)) rc = store_link(w, dirfd, name, &st);
  else rc = record_only(w, &st, NULL);

  w->path_len = parent_len;
  w->path[parent_len] = 0;
  return rc;
}

/* ---- the whole run ---- */

static bool valid_root(const char *name) {
  size_t len = strlen(name);
  return len > 0 && len < NAME_CAP && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int check_args(struct walk *w, int scratch_fd, const char *const *roots, const struct snapshot_limits *limits) {
  if (!limits || !limits->max_bytes || !limits->max_entries || !limits->max_file_bytes)
    return fail(w, "snapshot limits must all be greater than 0");
  if (!roots) return fail(w, "no roots to snapshot");
  for (size_t i = 0; roots[i]; i++)
    if (!valid_root(roots[i])) return fail(w, "a snapshot root must be one name below the scratch directory");
  struct stat st;
  if (fstat(scratch_fd, &st) < 0) return fail(w, "fstat of the scratch directory: %s", strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fail(w, "the scratch fd is not a directory");
  w->dev = st.st_dev;
  return 0;
}

/* Evidence files are new files of ours: O_EXCL never reuses (or follows) anything already there. */
static int create_evidence(struct walk *w, const char *path, const char *what, bool *made) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail(w, "create the %s file: %s", what, strerror(errno));
  *made = true;
  return fd;
}

static int open_outputs(struct walk *w, const char *archive_path, const char *manifest_path) {
  w->sink.fd = create_evidence(w, archive_path, "archive", &w->made_archive);
  if (w->sink.fd < 0) return -1;
  w->manifest_fd = create_evidence(w, manifest_path, "manifest", &w->made_manifest);
  if (w->manifest_fd < 0) return -1;
  w->manifest = fdopen(w->manifest_fd, "w");
  if (!w->manifest) return fail(w, "fdopen of the manifest: %s", strerror(errno));
  w->manifest_fd = -1; /* owned by the FILE now */
  w->sink.sha = EVP_MD_CTX_new();
  w->file_sha = EVP_MD_CTX_new();
  if (!w->sink.sha || !w->file_sha || EVP_DigestInit_ex(w->sink.sha, EVP_sha256(), NULL) != 1)
    return fail(w, "EVP_MD_CTX_new/EVP_DigestInit_ex failed");
  return 0;
}

static int start_archive(struct walk *w) {
  w->archive = archive_write_new();
  if (!w->archive) return fail(w, "archive_write_new: out of memory");
  /* Names must stay the sandbox's exact bytes. In the C locale (the launcher never calls setlocale)
   * libarchive cannot convert a non-ASCII name to UTF-8, so it stores it raw with hdrcharset=BINARY on
   * that entry alone; forcing BINARY for all would add a pax header to every entry. */
  if (archive_write_set_format_pax_restricted(w->archive) != ARCHIVE_OK ||
      archive_write_add_filter_none(w->archive) != ARCHIVE_OK ||
      archive_write_open(w->archive, &w->sink, NULL, sink_write, NULL) != ARCHIVE_OK)
    return fail(w, "set up the archive: %s", archive_error_string(w->archive));
  return 0;
}

static const char manifest_head[] =
    "{\"format\":\"gradebox-evidence-manifest/1\",\n\"notes\":{"
    "\"names\":\"paths and targets are bytes: each byte outside printable ASCII is \\\\u00XX, decode as Latin-1\","
    "\"sha256\":\"of the stored_size bytes stored in the archive\","
    "\"hard_links\":\"stored as separate copies\"},\n"
    "\"entries\":[";

static int walk_roots(struct walk *w, int scratch_fd, const char *const *roots) {
  fputs(manifest_head, w->manifest);
  w->first_record = true;
  for (size_t i = 0; roots[i]; i++)
    if (visit(w, scratch_fd, roots[i], 0) < 0) return -1;
  return 0;
}

static int finish_archive(struct walk *w, char *hex) {
  if (archive_write_close(w->archive) != ARCHIVE_OK)
    return fail(w, "archive_write_close: %s", archive_error_string(w->archive));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(w->sink.sha, digest, &len) != 1) return fail(w, "EVP_DigestFinal_ex of the archive failed");
  to_hex(digest, len, hex);
  if (fsync(w->sink.fd) < 0) return fail(w, "fsync of the archive: %s", strerror(errno));
  return 0;
}

static void cap_list(unsigned caps, char *out, size_t size, const char *sep, const char *quote) {
  size_t o = 0;
  out[0] = 0;
  for (unsigned i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (caps & (1u << i) && o < size)
      o += (size_t)snprintf(out + o, size - o, "%s%s%s%s", o ? sep : "", quote, cap_names[i], quote);
}

static int finish_manifest(struct walk *w, const char *archive_sha256) {
  FILE *m = w->manifest;
  char reasons[160];
  cap_list(w->caps, reasons, sizeof reasons, ",", "\"");
  fprintf(m, "\n],\n\"entries_recorded\":%" PRIu64 ",\"bytes_stored\":%" PRIu64 ",\"errors\":%" PRIu64 ",\n",
          w->entries, w->bytes, w->errors);
  fprintf(m, "\"capped\":%s,\"cap_reasons\":[%s],\n", w->caps ? "true" : "false", reasons);
  fprintf(m, "\"left_out\":{\"entries_at_least\":%" PRIu64 ",\"bytes_at_least\":%" PRIu64 "},\n", w->left_entries,
          w->left_bytes);
  fprintf(m, "\"limits\":{\"max_bytes\":%" PRIu64 ",\"max_entries\":%" PRIu64 ",\"max_file_bytes\":%" PRIu64
          ",\"max_depth\":%d},\n",
          w->limits->max_bytes, w->limits->max_entries, w->limits->max_file_bytes, SNAPSHOT_MAX_DEPTH);
  fprintf(m, "\"archive\":{\"format\":\"pax (sparse files as GNU sparse 1.0)\",\"bytes\":%" PRIu64
          ",\"sha256\":\"%s\"}\n}\n",
          w->sink.bytes, archive_sha256);
  if (fflush(m) != 0) return fail(w, "write the manifest: %s", strerror(errno));
  if (ferror(m)) return fail(w, "write the manifest: an earlier write failed");
  if (fsync(fileno(m)) < 0) return fail(w, "fsync of the manifest: %s", strerror(errno));
  return 0;
}

static void fill_result(const struct walk *w, const char *archive_sha256, struct snapshot_result *result) {
  memset(result, 0, sizeof *result);
  snprintf(result->archive_sha256, sizeof result->archive_sha256, "%s", archive_sha256);
  result->entries = w->entries;
  result->bytes = w->bytes;
  result->capped = w->caps != 0;
  cap_list(w->caps, result->cap_reason, sizeof result->cap_reason, ",", "");
}

/* Frees everything; after a failure also removes the files we created, so that half-written evidence is
 * never taken for evidence. */
static int release(struct walk *w, int rc, const char *archive_path, const char *manifest_path) {
  if (w->archive) archive_write_free(w->archive); /* closes the archive too if still open */
  if (w->manifest && fclose(w->manifest) != 0 && rc == 0) rc = fail(w, "close the manifest: %s", strerror(errno));
  if (w->manifest_fd >= 0) close(w->manifest_fd);
  if (w->sink.fd >= 0 && close(w->sink.fd) < 0 && rc == 0) rc = fail(w, "close the archive: %s", strerror(errno));
  if (rc < 0 && w->made_archive) unlink(archive_path);
  if (rc < 0 && w->made_manifest) unlink(manifest_path);
  EVP_MD_CTX_free(w->sink.sha);
  EVP_MD_CTX_free(w->file_sha);
  free(w->buf);
  free(w->zeros);
  free(w);
  return rc;
}

int snapshot_tree(int scratch_fd, const char *const *roots, const char *archive_path, const char *manifest_path,
                  const struct snapshot_limits *limits, struct snapshot_result *result, char *err, size_t errlen) {
  struct walk *w = calloc(1, sizeof *w);
  if (!w) {
    snprintf(err, errlen, "snapshot: out of memory");
    return -1;
  }
  w->limits = limits;
  w->sink.fd = w->manifest_fd = -1;
  w->err = err;
  w->errlen = errlen;
  w->buf = malloc(IO_CHUNK);
  w->zeros = calloc(1, IO_CHUNK);
  char sha[2 * EVP_MAX_MD_SIZE + 1] = "";
  int rc = !w->buf || !w->zeros ? fail(w, "snapshot: out of memory") : check_args(w, scratch_fd, roots, limits);
  if (rc == 0) rc = open_outputs(w, archive_path, manifest_path);
  if (rc == 0) rc = start_archive(w);
  if (rc == 0) rc = walk_roots(w, scratch_fd, roots);
  if (rc == 0) rc = finish_archive(w, sha);
  if (rc == 0) rc = finish_manifest(w, sha);
  if (rc == 0) fill_result(w, sha, result);
  return release(w, rc, archive_path, manifest_path);
}
