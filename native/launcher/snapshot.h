/* The evidence snapshot (snapshot.c): archives what a frozen sandbox could write, never following a link. */
#ifndef GRADEBOX_SNAPSHOT_H
#define GRADEBOX_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Directories deeper than this below a root are recorded but not opened. */
#define SNAPSHOT_MAX_DEPTH 64

/* Every limit must be > 0. Bytes count file content as stored (holes of a sparse file included, so the
 * hashing work is bounded too); the archive adds about 2 KiB of headers per entry on top (more for paths
 * over 100 bytes), so it stays under max_bytes + max_entries * ~2 KiB. */
struct snapshot_limits {
  uint64_t max_bytes;      /* content bytes of all files together */
  uint64_t max_entries;    /* manifest entries of every kind (directories and roots included) */
  uint64_t max_file_bytes; /* content bytes of one file: a longer file keeps only its first bytes */
};

struct snapshot_result {
  char archive_sha256[65]; /* hex, of the archive file's bytes */
  uint64_t entries;        /* entries in the manifest */
  uint64_t bytes;          /* content bytes stored */
  bool capped;             /* something was left out or cut short: the manifest says what */
  char cap_reason[128];    /* the limits hit, comma-separated: max_entries,max_bytes,max_file_bytes,max_depth */
};

/* Archives the trees `roots` (a NULL-terminated list of single names below scratch_fd, e.g. "upper",
 * "box", "tmp") into archive_path (pax) and describes every entry in manifest_path (JSON). Both files are
 * created with O_EXCL|O_NOFOLLOW, mode 0600; they must lie outside anything the sandbox can reach.
 * scratch_fd may be O_PATH. Whatever the sandbox put in the trees is recorded in the manifest, never
 * fatal; a failure to write the evidence itself returns -1 with a message in err, and removes both files. */
int snapshot_tree(int scratch_fd, const char *const *roots, const char *archive_path, const char *manifest_path,
                  const struct snapshot_limits *limits, struct snapshot_result *result, char *err, size_t errlen);

#endif
