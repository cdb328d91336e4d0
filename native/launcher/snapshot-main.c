/* gradebox-snapshot: one evidence snapshot (snapshot.c), printed as JSON. A program of its own so
 * that the launcher, which forks for every sandbox, does not carry libarchive and libcrypto.
 * Usage: gradebox-snapshot SCRATCH ARCHIVE MANIFEST MAX_BYTES MAX_ENTRIES MAX_FILE_BYTES ROOT...
 * SCRATCH is a directory, or fd:N for a directory descriptor inherited from the supervisor. */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c > 0x7e) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static uint64_t number(const char *text, const char *what) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (errno || *end || end == text) {
    fprintf(stderr, "gradebox-snapshot: %s is not a number: %s\n", what, text);
    exit(2);
  }
  return n;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: gradebox-snapshot SCRATCH ARCHIVE MANIFEST MAX_BYTES MAX_ENTRIES MAX_FILE_BYTES ROOT...\n");
    return 2;
  }
  struct snapshot_limits limits = {
      .max_bytes = number(argv[4], "MAX_BYTES"),
      .max_entries = number(argv[5], "MAX_ENTRIES"),
      .max_file_bytes = number(argv[6], "MAX_FILE_BYTES"),
  };
  int scratch = strncmp(argv[1], "fd:", 3) == 0 ? (int)number(argv[1] + 3, "SCRATCH fd")
                                                : open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scratch < 0) {
    fprintf(stderr, "gradebox-snapshot: open %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  struct snapshot_result result;
  char err[512] = "";
  double start = now_ms();
  int rc = snapshot_tree(scratch, (const char *const *)(argv + 7), argv[2], argv[3], &limits, &result, err, sizeof err);
  double ms = now_ms() - start;
  if (rc < 0) {
    printf("{\"ok\":false,\"error\":");
    print_json_string(err);
    printf(",\"ms\":%.3f}\n", ms);
    return 1;
  }
  printf("{\"ok\":true,\"archive_sha256\":\"%s\",\"entries\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"capped\":%s,\"cap_reason\":",
         result.archive_sha256, result.entries, result.bytes, result.capped ? "true" : "false");
  print_json_string(result.cap_reason);
  printf(",\"ms\":%.3f}\n", ms);
  return 0;
}
