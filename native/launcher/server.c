/* `gradebox-launch --serve`: one long-lived launcher per gradebox process. Requests arrive on
 * stdin as frames {id, verb, length} + NUL-separated words; each PREPARE forks a supervisor that
 * builds a sandbox and waits for its RUN. Every supervisor writes its status lines and the
 * program's output to our stdout as frames tagged with the request id. When a supervisor has
 * been reaped, a final {"event":"gone"} frame for its id says nothing more will come. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct supervisor {
  uint32_t id;
  pid_t pid;
  int control_fd; /* write end of the supervisor's run-options pipe; -1 once sent */
};

static struct supervisor *supervisors;
static size_t nsupervisors, capacity;

static struct supervisor *find(uint32_t id) {
  for (size_t i = 0; i < nsupervisors; i++)
    if (supervisors[i].id == id) return &supervisors[i];
  return NULL;
}

static void report(uint32_t id, const char *fmt, const char *detail) {
  char escaped[1024];
  json_string(escaped, sizeof escaped, detail);
  frame_id = id;
  emit_status(fmt, escaped);
  frame_id = -1;
}

/* In the forked supervisor: keep only stdout (frames), stderr and the control pipe. */
static void __attribute__((noreturn)) become_supervisor(const struct config *defaults, uint32_t id, char *payload,
                                                        uint32_t length, int control_fd) {
  if (dup2(control_fd, 3) < 0) _exit(1);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0) _exit(1);
  syscall(SYS_close_range, 4, ~0U, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0) _exit(1);
  frame_id = id;
  status_fd = 1;
  struct config cfg = *defaults;
  cfg.status_fd = 1;
  cfg.control_fd = 3;
  static char *words[4 * MAX_MOUNTS + 32];
  int n = split_words(payload, length, words, (int)(sizeof words / sizeof *words));
  parse_options(&cfg, n, words, PHASE_SHAPE);
  cfg.status_fd = 1;
  cfg.control_fd = 3;
  exit(launch(&cfg));
}

static void prepare(const struct config *defaults, uint32_t id, char *payload, uint32_t length) {
  if (find(id)) return report(id, "{\"event\":\"error\",\"message\":%s}", "request id already in use");
  int control[2];
  if (pipe2(control, O_CLOEXEC) < 0) return report(id, "{\"event\":\"error\",\"message\":%s}", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(control[0]);
    close(control[1]);
    return report(id, "{\"event\":\"error\",\"message\":%s}", strerror(errno));
  }
  if (pid == 0) become_supervisor(defaults, id, payload, length, control[0]);
  close(control[0]);
  if (nsupervisors == capacity) {
    capacity = capacity ? capacity * 2 : 16;
    supervisors = realloc(supervisors, capacity * sizeof *supervisors);
    if (!supervisors) die("out of memory");
  }
  supervisors[nsupervisors++] = (struct supervisor){id, pid, control[1]};
}

static void send_run(uint32_t id, const char *payload, uint32_t length) {
  struct supervisor *s = find(id);
  if (!s || s->control_fd < 0) return report(id, "{\"event\":\"error\",\"message\":%s}", "no prepared sandbox with this id");
  /* A --background supervisor waits at idle priority (launch()); raised first, it wakes at once,
   * and raises its sandbox's processes itself. One that died already: its "gone" frame says so. */
  const struct sched_param normal = {.sched_priority = 0};
  sched_setscheduler(s->pid, SCHED_OTHER, &normal);
  write_full(s->control_fd, payload, length);
  close(s->control_fd);
  s->control_fd = -1;
}

/* The caller waits for a sandbox still being built at idle priority: its supervisor raises it. */
static void raise_priority(uint32_t id) {
  struct supervisor *s = find(id);
  if (s && s->control_fd >= 0) kill(s->pid, SIGRAISE);
}

static void cancel(uint32_t id) {
  struct supervisor *s = find(id);
  if (!s) return;
  kill(s->pid, SIGTERM);
  if (s->control_fd >= 0) close(s->control_fd);
  s->control_fd = -1;
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < nsupervisors; i++) {
      if (supervisors[i].pid != pid) continue;
      char detail[32];
      snprintf(detail, sizeof detail, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      report(supervisors[i].id, "{\"event\":\"gone\",\"code\":%s}", detail);
      if (supervisors[i].control_fd >= 0) close(supervisors[i].control_fd);
      supervisors[i] = supervisors[--nsupervisors];
      break;
    }
  }
}

/* Our caller left: every supervisor tears its sandbox down (SIGTERM), then we go. */
static int shut_down(void) {
  for (size_t i = 0; i < nsupervisors; i++) kill(supervisors[i].pid, SIGTERM);
  while (nsupervisors > 0) {
    if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD) break;
    reap();
  }
  return 0;
}

static int handle_request(const struct config *defaults) {
  struct frame_header header;
  ssize_t n = read_full(0, &header, sizeof header);
  if (n == 0) return 0;
  if (n != (ssize_t)sizeof header || header.length > MAX_CONTROL_BYTES) die("malformed request on stdin");
  char *payload = malloc(header.length + 1);
  if (!payload || read_full(0, payload, header.length) != (ssize_t)header.length) die("truncated request on stdin");
  payload[header.length] = 0;
  switch (header.kind) {
  case REQ_PREPARE: prepare(defaults, header.id, payload, header.length); break;
  case REQ_RUN: send_run(header.id, payload, header.length); break;
  case REQ_CANCEL: cancel(header.id); break;
  case REQ_RAISE: raise_priority(header.id); break;
  default: report(header.id, "{\"event\":\"error\",\"message\":%s}", "unknown request");
  }
  free(payload);
  return 1;
}

int serve(const struct config *defaults) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (signal_fd < 0) die_errno("signalfd");
  /* Blocked here too, so that a supervisor has it blocked from the fork on and reads it from its
   * signalfd, however early it comes. */
  sigaddset(&mask, SIGRAISE);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  status_fd = 1;
  report(0, "{\"event\":\"serving\",\"cgroup\":%s}", cgroup_version());
  for (;;) {
    struct pollfd pfds[2] = {{0, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die_errno("poll");
    }
    if (pfds[1].revents) {
      struct signalfd_siginfo info;
      if (read(signal_fd, &info, sizeof info) == sizeof info && info.ssi_signo != SIGCHLD) return shut_down();
      reap();
    }
    if (pfds[0].revents && !handle_request(defaults)) return shut_down();
  }
}
