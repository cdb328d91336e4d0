/* `gradebox-launch --serve`: one long-lived launcher per gradebox process. Requests arrive on
 * stdin as frames {id, verb, length} + NUL-separated words. Sandboxes are built and supervised by
 * supervisor processes, each serving one sandbox at a time and then the next: forking a process
 * costs more than a short run on a virtual machine, so a supervisor is kept and reused rather
 * than forked per sandbox. Each has a channel (a socketpair) on which it receives its PREPARE and
 * RUN frames and answers DONE once its sandbox is torn down. Supervisors write their status lines
 * and the program's output to our stdout as frames tagged with the request id; a final
 * {"event":"gone"} frame for an id says nothing more will come. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A supervisor is retired after this many sandboxes (bounding whatever a long life accumulates),
 * and idle ones beyond MAX_IDLE are let go. */
#define MAX_SERVED 200
#define MAX_IDLE 16
/* The supervisor's end of its channel. */
#define CHANNEL_FD 3

struct supervisor {
  pid_t pid;
  int channel;     /* our end; -1 once we let the supervisor go (it exits at EOF) */
  uint32_t id;     /* the request it serves; 0: idle */
  bool run_sent;
  bool cancelled;  /* never reused: a cancel may reach it late */
  unsigned served;
  char cpus[64];   /* the --cpus of its last sandbox ("": anywhere): where it runs now */
};

static struct supervisor *supervisors;
static size_t nsupervisors, capacity;

/* The supervisor serving request `id` (0 is no request: idle supervisors have it). */
static struct supervisor *serving(uint32_t id) {
  if (id == 0) return NULL;
  for (size_t i = 0; i < nsupervisors; i++)
    if (supervisors[i].id == id) return &supervisors[i];
  return NULL;
}

static void report(uint32_t id, const char *fmt, const char *detail) {
  char escaped[1024];
  json_string(escaped, sizeof escaped, detail);
  int64_t own = frame_id;
  frame_id = id;
  emit_status(fmt, escaped);
  frame_id = own;
}

/* Between sandboxes: the next PREPARE, or the end (EOF, or a signal: our server is stopping).
 * A PREPARE waiting is taken first, and signals that came with it (a raise or a cancel for that
 * very sandbox) are left pending for its supervision to read. */
static char *wait_for_prepare(struct frame_header *header) {
  int signal_fd = supervisor_signals();
  for (;;) {
    struct pollfd pfds[2] = {{CHANNEL_FD, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die_errno("poll");
    }
    if (pfds[0].revents) {
      char *payload;
      if (read_frame(CHANNEL_FD, header, &payload) <= 0) exit(0);
      if (header->kind == REQ_PREPARE) {
        close(signal_fd);
        return payload;
      }
      free(payload); /* nothing else is meant for an idle supervisor */
      continue;
    }
    struct signalfd_siginfo info;
    /* A late SIGRAISE is for a sandbox already run; anything else ends us. */
    if (read(signal_fd, &info, sizeof info) == sizeof info && info.ssi_signo == SIGRAISE) continue;
    exit(0);
  }
}

/* Closes every descriptor from `first` on, except the `n` in `kept` (-1 entries are ignored). */
static void close_all_from(int first, int *kept, size_t n) {
  for (size_t i = 0; i < n; i++) /* sorted, so the gaps between them can be closed in order */
    for (size_t j = i + 1; j < n; j++)
      if (kept[j] < kept[i]) { int t = kept[i]; kept[i] = kept[j]; kept[j] = t; }
  for (size_t i = 0; i < n; i++) {
    if (kept[i] < first) continue;
    if (kept[i] > first) syscall(SYS_close_range, first, kept[i] - 1, 0);
    first = kept[i] + 1;
  }
  syscall(SYS_close_range, first, ~0U, 0);
}

/* In the forked supervisor: keep only stdout (frames), stderr and the channel; serve sandboxes. */
static void __attribute__((noreturn)) become_supervisor(const struct config *defaults, int channel) {
  if (dup2(channel, CHANNEL_FD) < 0 || fcntl(CHANNEL_FD, F_SETFD, FD_CLOEXEC) < 0) _exit(1);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0) _exit(1);
  syscall(SYS_close_range, CHANNEL_FD + 1, ~0U, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0) _exit(1);
  for (;;) {
    /* Idle, a failure has no request to be told to: it goes to stderr, not into the frames. */
    status_fd = -1;
    struct frame_header header;
    char *payload = wait_for_prepare(&header);
    status_fd = 1;
    frame_id = header.id;
    struct config cfg = *defaults;
    static char *words[4 * MAX_MOUNTS + 32];
    int n = split_words(payload, header.length, words, (int)(sizeof words / sizeof *words));
    parse_options(&cfg, n, words, PHASE_SHAPE);
    cfg.status_fd = 1;
    cfg.control_fd = CHANNEL_FD;
    int code = launch(&cfg);
    /* Every descriptor of that sandbox goes but the slot's lock and the network namespace (netns.c),
     * kept for the next one; a run that was not clean (an incident, a cancel) ends this supervisor
     * rather than leave it anything to carry on. */
    int kept[3] = {held_slot_fd()};
    sandbox_netns_fds(kept + 1);
    close_all_from(CHANNEL_FD + 1, kept, 3);
    free(payload);
    if (code != 0) exit(code == LAUNCH_RETIRE ? 0 : code);
    if (!send_frame(CHANNEL_FD, header.id, NOTE_DONE, NULL, 0)) exit(1);
    frame_id = -1;
  }
}

static struct supervisor *spawn_supervisor(const struct config *defaults) {
  int channel[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0) return NULL;
  pid_t pid = fork();
  if (pid < 0) {
    close(channel[0]);
    close(channel[1]);
    return NULL;
  }
  if (pid == 0) become_supervisor(defaults, channel[1]);
  close(channel[1]);
  if (nsupervisors == capacity) {
    capacity = capacity ? capacity * 2 : 16;
    supervisors = realloc(supervisors, capacity * sizeof *supervisors);
    if (!supervisors) die("out of memory");
  }
  supervisors[nsupervisors] = (struct supervisor){.pid = pid, .channel = channel[0]};
  return &supervisors[nsupervisors++];
}

/* The --cpus of a PREPARE's options ("" without one); the payload is NUL-separated words. */
static void cpus_of(const char *payload, uint32_t length, char *out, size_t size) {
  out[0] = '\0';
  for (uint32_t i = 0; i < length;) {
    size_t word = strnlen(payload + i, length - i);
    uint32_t next = i + (uint32_t)word + 1;
    if (word == 6 && memcmp(payload + i, "--cpus", 6) == 0 && next < length)
      snprintf(out, size, "%.*s", (int)strnlen(payload + next, length - next), payload + next);
    i = next;
  }
}

/* An idle supervisor, one already on `cpus` first: moving a process to another CPU makes
 * sched_setaffinity(2) wait for the CPU's stopper thread to migrate it (affine_move_task), which
 * the off-CPU profile showed about every other sandbox when supervisors alternated between slots. */
static struct supervisor *idle_supervisor(const struct config *defaults, const char *cpus) {
  struct supervisor *any = NULL;
  for (size_t i = 0; i < nsupervisors; i++) {
    struct supervisor *s = &supervisors[i];
    if (s->id != 0 || s->channel < 0) continue;
    if (strcmp(s->cpus, cpus) == 0) return s;
    if (!any) any = s;
  }
  return any ? any : spawn_supervisor(defaults);
}

/* Our end closed: the supervisor sees EOF between sandboxes and exits (or has died already). */
static void let_go(struct supervisor *s) {
  if (s->channel >= 0) close(s->channel);
  s->channel = -1;
}

static void prepare(const struct config *defaults, uint32_t id, const char *payload, uint32_t length) {
  if (id == 0 || serving(id)) return report(id, "{\"event\":\"error\",\"message\":%s}", "request id 0 or already in use");
  char cpus[sizeof supervisors->cpus];
  cpus_of(payload, length, cpus, sizeof cpus);
  struct supervisor *s = idle_supervisor(defaults, cpus);
  if (!s) return report(id, "{\"event\":\"error\",\"message\":%s}", strerror(errno));
  memcpy(s->cpus, cpus, sizeof cpus);
  s->id = id;
  s->run_sent = false;
  if (!send_frame(s->channel, id, REQ_PREPARE, payload, length)) let_go(s); /* it died: reap() reports */
}

static void send_run(uint32_t id, const char *payload, uint32_t length) {
  struct supervisor *s = serving(id);
  if (!s || s->run_sent) return report(id, "{\"event\":\"error\",\"message\":%s}", "no prepared sandbox with this id");
  if (s->channel < 0) return; /* its supervisor died: reap() reports */
  /* A --background supervisor waits at idle priority (launch()); raised first, it wakes at once,
   * and raises its sandbox's processes itself. One that died already: its "gone" frame says so. */
  const struct sched_param normal = {.sched_priority = 0};
  sched_setscheduler(s->pid, SCHED_OTHER, &normal);
  s->run_sent = true;
  if (!send_frame(s->channel, id, REQ_RUN, payload, length)) let_go(s);
}

/* The caller waits for a sandbox still being built at idle priority: its supervisor raises it. */
static void raise_priority(uint32_t id) {
  struct supervisor *s = serving(id);
  if (s && !s->run_sent) kill(s->pid, SIGRAISE);
}

/* Joins the programs of two prepared sandboxes: each one's stdout is the other's stdin. The pipes
 * are made here, the common parent, and each supervisor gets its two ends before its run. */
static void link_pair(uint32_t id, const char *payload) {
  char *end;
  unsigned long other = strtoul(payload, &end, 10);
  struct supervisor *a = serving(id);
  struct supervisor *b = *payload && !*end && other != id && other <= UINT32_MAX ? serving((uint32_t)other) : NULL;
  if (!a || !b || a->run_sent || b->run_sent || a->channel < 0 || b->channel < 0)
    return report(id, "{\"event\":\"error\",\"message\":%s}", "link: both sandboxes must be prepared and not yet run");
  int ab[2], ba[2];
  if (pipe2(ab, O_CLOEXEC) < 0) return report(id, "{\"event\":\"error\",\"message\":%s}", strerror(errno));
  if (pipe2(ba, O_CLOEXEC) < 0) {
    close(ab[0]);
    close(ab[1]);
    return report(id, "{\"event\":\"error\",\"message\":%s}", strerror(errno));
  }
  /* A supervisor that died is reported by reap(); the other one's run then ends at EOF. */
  if (!send_frame_fds(a->channel, a->id, REQ_STDIO, ba[0], ab[1])) let_go(a);
  if (!send_frame_fds(b->channel, b->id, REQ_STDIO, ab[0], ba[1])) let_go(b);
  for (int i = 0; i < 2; i++) {
    close(ab[i]);
    close(ba[i]);
  }
}

/* The supervisor tears its sandbox down (SIGTERM) and ends. */
static void cancel(uint32_t id) {
  struct supervisor *s = serving(id);
  if (!s) return;
  s->cancelled = true;
  kill(s->pid, SIGTERM);
}

static size_t idle_count(void) {
  size_t n = 0;
  for (size_t i = 0; i < nsupervisors; i++) n += supervisors[i].id == 0 && supervisors[i].channel >= 0;
  return n;
}

/* DONE: the supervisor's sandbox is gone; it is ready for the next one. */
static void handle_note(struct supervisor *s) {
  struct frame_header header;
  char *payload;
  if (read_frame(s->channel, &header, &payload) <= 0) return let_go(s); /* it died: reap() reports */
  free(payload);
  if (header.kind != NOTE_DONE || header.id != s->id) die("unexpected note from a supervisor");
  report(s->id, "{\"event\":\"gone\",\"code\":%s}", "0");
  s->id = 0;
  s->served++;
  if (s->cancelled || s->served >= MAX_SERVED || idle_count() > MAX_IDLE) let_go(s);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < nsupervisors; i++) {
      struct supervisor *s = &supervisors[i];
      if (s->pid != pid) continue;
      if (s->id) {
        char detail[32];
        snprintf(detail, sizeof detail, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        report(s->id, "{\"event\":\"gone\",\"code\":%s}", detail);
      }
      if (s->channel >= 0) close(s->channel);
      *s = supervisors[--nsupervisors];
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
  char *payload;
  int read = read_frame(0, &header, &payload);
  if (read == 0) return 0;
  if (read < 0) die("malformed request on stdin");
  switch (header.kind) {
  case REQ_PREPARE: prepare(defaults, header.id, payload, header.length); break;
  case REQ_RUN: send_run(header.id, payload, header.length); break;
  case REQ_CANCEL: cancel(header.id); break;
  case REQ_RAISE: raise_priority(header.id); break;
  case REQ_LINK: link_pair(header.id, payload); break;
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
  frame_id = 0; /* our own failures are frames too, for no request */
  report(0, "{\"event\":\"serving\",\"cgroup\":%s}", cgroup_version());
  struct pollfd *pfds = NULL;
  for (;;) {
    pfds = realloc(pfds, (2 + nsupervisors) * sizeof *pfds);
    if (!pfds) die("out of memory");
    pfds[0] = (struct pollfd){0, POLLIN, 0};
    pfds[1] = (struct pollfd){signal_fd, POLLIN, 0};
    size_t watched = nsupervisors;
    for (size_t i = 0; i < watched; i++) pfds[2 + i] = (struct pollfd){supervisors[i].channel, POLLIN, 0};
    if (poll(pfds, 2 + watched, -1) < 0) {
      if (errno == EINTR) continue;
      die_errno("poll");
    }
    /* Notes first (they free supervisors), then requests, then exits (reap reorders the table). */
    for (size_t i = 0; i < watched; i++)
      if (pfds[2 + i].revents && supervisors[i].channel == pfds[2 + i].fd) handle_note(&supervisors[i]);
    if (pfds[0].revents && !handle_request(defaults)) return shut_down();
    if (pfds[1].revents) {
      struct signalfd_siginfo info;
      if (read(signal_fd, &info, sizeof info) == sizeof info && info.ssi_signo != SIGCHLD) return shut_down();
      reap();
    }
  }
}
