/* The launcher's conversations: status lines and output frames to its caller, frames on the
 * channels between the server and its supervisors, and messages (with descriptors) on the sockets
 * between a supervisor and its sandbox. Dying is part of it: die() reports an error event on the
 * status channel before the process ends. */
#include "launcher.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int status_fd = -1;
int64_t frame_id = -1;

static int write_frame(int kind, const char *data, size_t len);
void (*die_hook)(const char *message);

static void __attribute__((noreturn)) die_with(const char *message, const char *code) {
  if (die_hook) die_hook(message);
  char escaped[2048];
  json_string(escaped, sizeof escaped, message);
  if (status_fd >= 0)
    emit_status("{\"event\":\"error\",\"code\":\"%s\",\"message\":%s}", code, escaped);
  else
    fprintf(stderr, "gradebox-launch: %s\n", message);
  _exit(1);
}

void die(const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  die_with(message, "internal");
}

void die_input(const char *code, const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  die_with(message, code);
}

void die_errno(const char *fmt, ...) {
  int saved = errno;
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof message)
    snprintf(message + n, sizeof message - n, ": %s", strerror(saved));
  die_with(message, "internal");
}

/* One JSON object per line; a single write keeps lines whole. */
void emit_status(const char *fmt, ...) {
  char line[FRAME_MAX - sizeof(struct frame_header)];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  if (status_fd < 0) return;
  if (frame_id >= 0)
    write_frame(FRAME_STATUS, line, n);
  else
    write_full(status_fd, line, n);
}

/* One frame, one write(2) of at most PIPE_BUF bytes: atomic on a pipe. */
static int write_frame(int kind, const char *data, size_t len) {
  char frame[FRAME_MAX];
  if (len > FRAME_MAX - sizeof(struct frame_header)) len = FRAME_MAX - sizeof(struct frame_header);
  struct frame_header header = {.id = (uint32_t)frame_id, .kind = (uint32_t)kind, .length = (uint32_t)len};
  memcpy(frame, &header, sizeof header);
  memcpy(frame + sizeof header, data, len);
  return write_full(status_fd, frame, sizeof header + len) < 0 ? -1 : 0;
}

int emit_output(int stream, const char *buf, size_t len) {
  if (frame_id < 0) return write_full(stream, buf, len) < 0 ? -1 : 0;
  const size_t chunk = FRAME_MAX - sizeof(struct frame_header);
  for (size_t done = 0; done < len; done += chunk)
    if (write_frame(stream == 1 ? FRAME_STDOUT : FRAME_STDERR, buf + done, len - done < chunk ? len - done : chunk) < 0)
      return -1;
  return 0;
}

void send_msg(int fd, enum msg_type type, int32_t value, const void *payload, uint32_t length) {
  struct msg_header header = {.type = type, .value = value, .length = length};
  /* One buffer, one write: init and the program may both write to this socket. */
  char small[4096];
  if (sizeof header + length <= sizeof small) {
    memcpy(small, &header, sizeof header);
    if (length) memcpy(small + sizeof header, payload, length);
    if (write_full(fd, small, sizeof header + length) < 0) _exit(1);
    return;
  }
  if (write_full(fd, &header, sizeof header) < 0 || write_full(fd, payload, length) < 0) _exit(1);
}

void send_fd(int sock, enum msg_type type, int fd) { send_fd_value(sock, type, fd, fd); }

void send_fd_value(int sock, enum msg_type type, int fd, int32_t value) {
  struct msg_header header = {.type = type, .value = value, .length = 0};
  char control[CMSG_SPACE(sizeof(int))] = {0};
  struct iovec iov = {.iov_base = &header, .iov_len = sizeof header};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof header) die_errno("pass a descriptor to the supervisor");
}

/* The header is read with recvmsg so that a descriptor sent along with it is not lost. */
int recv_msg(int fd, struct msg_header *header, char **payload, int *passed_fd) {
  *payload = NULL;
  if (passed_fd) *passed_fd = -1;
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = header, .iov_len = sizeof *header};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  if (n == 0) return 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int received;
    memcpy(&received, CMSG_DATA(c), sizeof received);
    if (passed_fd && *passed_fd < 0) *passed_fd = received;
    else close(received);
  }
  if (n != (ssize_t)sizeof *header) {
    /* the rest of a header split across reads */
    if (n < 0 || read_full(fd, (char *)header + n, sizeof *header - n) != (ssize_t)(sizeof *header - n)) return -1;
  }
  if (header->length > MAX_CONTROL_BYTES) return -1;
  if (header->length > 0) {
    *payload = malloc(header->length + 1);
    if (!*payload) return -1;
    if (read_full(fd, *payload, header->length) != (ssize_t)header->length) return -1;
    (*payload)[header->length] = 0;
  }
  return 1;
}

int split_words(char *payload, uint32_t length, char **words, int max) {
  int n = 0;
  for (uint32_t i = 0; i < length; i += strlen(payload + i) + 1) {
    if (n == max - 1) die("too many words in an options message (at most %d)", max - 1);
    words[n++] = payload + i;
  }
  words[n] = NULL;
  return n;
}

int read_frame(int fd, struct frame_header *header, char **payload) { return read_frame_fds(fd, header, payload, NULL, 0); }

/* The header is read with recvmsg so that descriptors sent along with it are kept (up to max;
 * more are closed). */
int read_frame_fds(int fd, struct frame_header *header, char **payload, int *fds, int max) {
  *payload = NULL;
  for (int i = 0; i < max; i++) fds[i] = -1;
  char control[CMSG_SPACE(4 * sizeof(int))];
  struct iovec iov = {.iov_base = header, .iov_len = sizeof *header};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
  while (n < 0 && errno == EINTR);
  int kept = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
      int received;
      memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof received);
      if (kept < max) fds[kept++] = received;
      else close(received);
    }
  }
  if (n == 0) return 0;
  if (n > 0 && n < (ssize_t)sizeof *header && read_full(fd, (char *)header + n, sizeof *header - n) == (ssize_t)(sizeof *header - n))
    n = sizeof *header;
  if (n != (ssize_t)sizeof *header || header->length > MAX_CONTROL_BYTES) return -1;
  *payload = malloc(header->length + 1);
  if (!*payload) die("out of memory");
  if (read_full(fd, *payload, header->length) != (ssize_t)header->length) {
    free(*payload);
    *payload = NULL;
    return -1;
  }
  (*payload)[header->length] = 0;
  return 1;
}

/* False when the other end is gone. */
bool send_frame(int fd, uint32_t id, uint32_t kind, const char *payload, uint32_t length) {
  struct frame_header header = {id, kind, length};
  return fd >= 0 && write_full(fd, &header, sizeof header) >= 0 && (!length || write_full(fd, payload, length) >= 0);
}

/* An empty frame carrying two descriptors (SCM_RIGHTS); false when the other end is gone. */
bool send_frame_fds(int fd, uint32_t id, uint32_t kind, int first, int second) {
  struct frame_header header = {id, kind, 0};
  int fds[2] = {first, second};
  char control[CMSG_SPACE(sizeof fds)] = {0};
  struct iovec iov = {.iov_base = &header, .iov_len = sizeof header};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(cmsg), fds, sizeof fds);
  ssize_t n;
  do n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof header;
}
