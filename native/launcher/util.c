/* Small helpers of the launcher that depend on nothing else of it: JSON strings, whole-file and
 * whole-buffer I/O, the monotonic clock. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void json_string(char *out, size_t size, const char *in) {
  size_t o = 0;
  if (size < 3) return;
  out[o++] = '"';
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 8 < size; p++) {
    if (*p == '"' || *p == '\\') {
      out[o++] = '\\';
      out[o++] = *p;
    } else if (*p < 0x20) {
      o += snprintf(out + o, size - o, "\\u%04x", *p);
    } else {
      out[o++] = *p;
    }
  }
  out[o++] = '"';
  out[o] = 0;
}

int write_file(const char *path, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t w = write(fd, buf, n);
  int saved = errno;
  close(fd);
  errno = saved;
  return w == n ? 0 : -1;
}

int read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read_full(fd, buf, size - 1);
  close(fd);
  if (n < 0) return -1;
  buf[n] = 0;
  return (int)n;
}

bool parse_cpu_list(const char *text, cpu_set_t *set) {
  CPU_ZERO(set);
  for (const char *p = text;;) {
    char *end;
    if (*p < '0' || *p > '9') return false;
    unsigned long first = strtoul(p, &end, 10), last = first;
    if (*end == '-') {
      if (end[1] < '0' || end[1] > '9') return false;
      last = strtoul(end + 1, &end, 10);
    }
    if (last < first || last >= CPU_SETSIZE) return false;
    for (unsigned long cpu = first; cpu <= last; cpu++) CPU_SET(cpu, set);
    if (*end != ',') return *end == '\0';
    p = end + 1;
  }
}

int64_t monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

ssize_t read_full(int fd, void *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, (char *)buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    done += n;
  }
  return done;
}

ssize_t write_full(int fd, const void *buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, (const char *)buf + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    done += n;
  }
  return done;
}

int ensure_dir(const char *path, mode_t mode) { return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0; }

