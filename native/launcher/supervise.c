/* The supervisor: host side of one run. It answers the sandbox's requests (uid maps), enforces
 * wall time, CPU time and output size, and reports what happened as JSON lines on the status fd. */
#include "incident.h"
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

struct stream {
  int fd;          /* read end of the program's pipe, -1 at EOF */
  int out;         /* where the bytes go: our own stdout or stderr */
  int64_t bytes;   /* bytes forwarded */
  bool truncated;
};

struct run {
  struct config *cfg;
  pid_t child;
  int sync_fd, pidfd, timer_fd, signal_fd;
  struct stream streams[2];
  int64_t started_us;       /* 0 until the program runs */
  int64_t cpu_baseline_us;  /* the cgroup's CPU time when the program started: setup is not charged */
  const char *limit;        /* which limit the supervisor enforced, if any */
  bool killed, cancelled, child_exited, have_status;
  bool check_due;           /* the budgets need a check now (the program just started) */
  int notify_fd;            /* seccomp listener, -1 without a filter */
  int program_fd;           /* channel to the program until it execs */
  int link_in, link_out;    /* a linked run's stdin and stdout (pipes to another sandbox), else -1 */
  int scratch_fd;           /* root of the sandbox's scratch tmpfs, for evidence */
  bool violation;           /* an incident happened (only the first one counts) */
  char *options;            /* the run options (cfg points into them), freed when the run is over */
  int program_status;       /* with have_status: the program's wait status and rusage, from the init */
  struct rusage program_usage;
  int exec_errno;
  char *setup_error;
  bool wait_killable;       /* the filter was installed with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
  struct export_stats exported; /* what export_box copied to --box-out, and the links it left out */
};

static struct run *current;

int supervisor_signals(void) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGRAISE);
  int fd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (fd < 0) die_errno("signalfd");
  return fd;
}


static void kill_sandbox(struct run *run) {
  if (run->killed) return;
  run->killed = true;
  /* SIGKILL to the pid namespace's init takes every process of the sandbox with it. */
  kill(run->child, SIGKILL);
}

/* Used by die(): nothing may be left behind, even when the launcher itself fails. */
static void cleanup_on_die(const char *message) {
  (void)message;
  if (!current) return;
  kill(current->child, SIGKILL);
  waitpid(current->child, NULL, 0);
  cgroup_destroy();
  cgroup_release();
}

/* Used by die() once the sandbox is gone (its processes reaped): its cgroup goes too. */
static void cleanup_after_run(const char *message) {
  (void)message;
  cgroup_destroy();
  cgroup_release();
}

static void write_id_maps(pid_t child, uint32_t base) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/uid_map", child);
  if (write_file(path, "0 %u %u\n", base, UID_RANGE) < 0) die_errno("write %s", path);
  snprintf(path, sizeof path, "/proc/%d/gid_map", child);
  if (write_file(path, "0 %u %u\n", base, UID_RANGE) < 0) die_errno("write %s", path);
}

static void handle_message(struct run *run, uint32_t uid_base) {
  struct msg_header header;
  char *payload;
  int passed_fd;
  int r = recv_msg(run->sync_fd, &header, &payload, &passed_fd);
  if (r <= 0) {
    close(run->sync_fd);
    run->sync_fd = -1;
    return;
  }
  switch (header.type) {
  case MSG_NEED_MAPS:
    write_id_maps(run->child, uid_base);
    send_msg(run->sync_fd, MSG_MAPS_DONE, 0, NULL, 0);
    break;
  case MSG_EXITED:
    run->program_status = header.value;
    run->have_status = true;
    if (payload && header.length == sizeof run->program_usage) memcpy(&run->program_usage, payload, sizeof run->program_usage);
    break;
  case MSG_ERROR:
    run->setup_error = payload ? payload : strdup("the sandbox failed to start");
    kill_sandbox(run);
    return;
  default:
    break;
  }
  if (passed_fd >= 0) close(passed_fd);
  free(payload);
}

/* The program's channel: its seccomp listener, or why exec failed; EOF once it has exec'd. */
static void handle_program_message(struct run *run) {
  struct msg_header header;
  char *payload;
  int passed_fd;
  if (recv_msg(run->program_fd, &header, &payload, &passed_fd) <= 0) {
    close(run->program_fd);
    run->program_fd = -1;
    return;
  }
  if (header.type == MSG_LISTENER && passed_fd >= 0) {
    if (run->notify_fd >= 0) close(run->notify_fd);
    run->notify_fd = passed_fd;
    run->wait_killable = header.value == 1;
    passed_fd = -1;
  } else if (header.type == MSG_EXEC_FAILED) {
    run->exec_errno = header.value;
  }
  if (passed_fd >= 0) close(passed_fd);
  free(payload);
}

/* A notification is a violation: the first one runs the incident pipeline, later ones (other
 * processes caught at the same moment) are only read; nobody's call ever proceeds. */
static void handle_notification(struct run *run, short revents) {
  if (revents & POLLIN) {
    struct seccomp_notif req;
    if (receive_violation(run->notify_fd, &req) && !run->violation) {
      run->violation = true;
      const struct config *cfg = run->cfg;
      struct incident_context ctx = {
          .scratch_fd = run->scratch_fd,
          .evidence_dir = cfg->evidence_dir,
          .limits = {.max_bytes = (uint64_t)cfg->evidence_max_bytes,
                     .max_entries = (uint64_t)cfg->evidence_max_entries,
                     .max_file_bytes = (uint64_t)cfg->evidence_max_file_bytes}};
      handle_incident(&req, run->child, &ctx);
      run->killed = true;
    }
    return;
  }
  /* POLLHUP: every process under the filter is gone. */
  close(run->notify_fd);
  run->notify_fd = -1;
}

static void pump(struct run *run, struct stream *s) {
  char buf[65536];
  ssize_t n = read(s->fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close(s->fd);
    s->fd = -1;
    return;
  }
  int64_t cap = run->cfg->limits.output_bytes;
  int64_t keep = n;
  if (cap && s->bytes + n > cap) {
    keep = cap - s->bytes;
    s->truncated = true;
    if (!run->limit) run->limit = "output";
    kill_sandbox(run);
  }
  if (keep > 0 && emit_output(s->out, buf, keep) < 0) {
    /* Nobody reads our output any more: stop the run rather than block. */
    run->cancelled = true;
    kill_sandbox(run);
  }
  s->bytes += keep;
}

/* Checks the wall and CPU budgets and arms the timer for the next check. */
static void check_budgets(struct run *run, int ncpus) {
  const struct limits *limits = &run->cfg->limits;
  if (!run->started_us || run->killed) return;
  int64_t now = monotonic_us();
  int64_t next_us = 50000;
  if (limits->wall_ms) {
    int64_t left = limits->wall_ms * 1000 - (now - run->started_us);
    if (left <= 0) {
      run->limit = "wall";
      kill_sandbox(run);
      return;
    }
    if (left < next_us) next_us = left;
  }
  int64_t cpu_us;
  if (limits->cpu_ms && cgroup_read_cpu_us(&cpu_us) == 0) {
    int64_t left = limits->cpu_ms * 1000 - (cpu_us - run->cpu_baseline_us);
    if (left <= 0) {
      run->limit = "cpu";
      kill_sandbox(run);
      return;
    }
    /* CPU time cannot grow faster than ncpus times the wall clock. */
    if (left / ncpus < next_us) next_us = left / ncpus;
  }
  if (next_us < 1000) next_us = 1000;
  struct itimerspec its = {.it_value = {.tv_sec = next_us / 1000000, .tv_nsec = (next_us % 1000000) * 1000}};
  timerfd_settime(run->timer_fd, 0, &its, NULL);
}

/* init_status and ru are the init's, used only when the init did not report the program's. */
static void report_exit(struct run *run, int init_status, const struct rusage *ru) {
  if (run->have_status) ru = &run->program_usage;
  if (!ru) die("no resource usage to report");
  struct cgroup_stats stats = {-1, -1, -1, -1};
  cgroup_read_stats(&stats);
  int64_t wall_ms = run->started_us ? (monotonic_us() - run->started_us) / 1000 : 0;
  int status = run->have_status ? run->program_status : init_status;
  char exit_code[16] = "null", signal_no[16] = "null";
  if (WIFEXITED(status)) snprintf(exit_code, sizeof exit_code, "%d", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) snprintf(signal_no, sizeof signal_no, "%d", WTERMSIG(status));
  int64_t cpu_us = stats.cpu_us >= 0 ? stats.cpu_us - run->cpu_baseline_us
                                     : (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000ll + ru->ru_utime.tv_usec +
                                           ru->ru_stime.tv_usec;
  int64_t memory_kb = stats.memory_peak_bytes >= 0 ? stats.memory_peak_bytes / 1024 : ru->ru_maxrss;
  emit_status("{\"event\":\"exit\",\"exit_code\":%s,\"signal\":%s,\"program_status_known\":%s,"
              "\"cpu_ms\":%lld,\"wall_ms\":%lld,\"memory_kb\":%lld,\"maxrss_kb\":%ld,"
              "\"oom_kills\":%lld,\"memory_limit_hits\":%lld,\"limit\":%s%s%s,"
              "\"stdout_bytes\":%lld,\"stderr_bytes\":%lld,\"stdout_truncated\":%s,\"stderr_truncated\":%s,"
              "\"exec_errno\":%d,\"cancelled\":%s,\"violation\":%s,\"cgroup\":\"%s\","
              "\"box_links_dropped\":%lld,\"seccomp_wait_killable\":%s}",
              exit_code, signal_no, run->have_status ? "true" : "false", (long long)(cpu_us / 1000),
              (long long)wall_ms, (long long)memory_kb, ru->ru_maxrss, (long long)stats.oom_kills,
              (long long)stats.memory_limit_hits, run->limit ? "\"" : "", run->limit ? run->limit : "null",
              run->limit ? "\"" : "", (long long)run->streams[0].bytes, (long long)run->streams[1].bytes,
              run->streams[0].truncated ? "true" : "false", run->streams[1].truncated ? "true" : "false",
              run->exec_errno, run->cancelled ? "true" : "false", run->violation ? "true" : "false", cgroup_version(),
              (long long)run->exported.links_dropped, run->wait_killable ? "true" : "false");
}

/* The run is wanted: a --background sandbox (its supervisor, init and every other process) goes
 * back to normal priority. */
static void to_foreground(const struct run *run) {
  if (!run->cfg->background) return;
  const struct sched_param normal = {.sched_priority = 0};
  if (sched_setscheduler(0, SCHED_OTHER, &normal) < 0) die_errno("sched_setscheduler SCHED_OTHER");
  if (sched_setscheduler(run->child, SCHED_OTHER, &normal) < 0 && errno != ESRCH)
    die_errno("sched_setscheduler SCHED_OTHER for the sandbox init");
  cgroup_to_foreground();
}

/* The signal that made the signalfd readable: SIGRAISE (the caller waits for us), or one that
 * cancels the sandbox. */
static int take_signal(const struct run *run) {
  struct signalfd_siginfo info;
  if (read(run->signal_fd, &info, sizeof info) != sizeof info) return 0;
  return (int)info.ssi_signo;
}

/* Reads the run options from the control channel: one RUN frame ({id, verb, length} + NUL-separated
 * words), maybe after a STDIO frame carrying the program's linked stdin and stdout. A signal while
 * we wait cancels the prepared sandbox. */
static char *read_control(int fd, struct run *run, uint32_t *length) {
  for (;;) {
    struct pollfd pfds[4] = {{fd, POLLIN, 0}, {run->signal_fd, POLLIN, 0}, {run->pidfd, POLLIN, 0}, {run->program_fd, POLLIN, 0}};
    if (poll(pfds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      die_errno("poll");
    }
    if (pfds[1].revents && take_signal(run) != SIGRAISE) die("cancelled before the run started");
    if (pfds[2].revents || pfds[3].revents) die("the sandbox died while it was prepared");
    if (!pfds[0].revents) continue;
    to_foreground(run); /* the sandbox is built: this covers every process it has */
    struct frame_header header;
    char *buf;
    int fds[2];
    int read = read_frame_fds(fd, &header, &buf, fds, 2);
    if (read == 0) die("cancelled before the run started");
    if (read > 0 && header.kind == REQ_STDIO && fds[0] >= 0 && fds[1] >= 0 && run->link_in < 0) {
      run->link_in = fds[0];
      run->link_out = fds[1];
      free(buf);
      continue;
    }
    for (int i = 0; i < 2; i++)
      if (fds[i] >= 0) close(fds[i]);
    if (read < 0 || header.kind != REQ_RUN || header.length == 0) die("malformed run request");
    *length = header.length;
    return buf;
  }
}

/* Until the sandbox is built: the scratch handle, the uid maps, then READY with the program's channel. */
static void wait_until_ready(struct run *run, uint32_t uid_base) {
  /* The run options arriving while we build mean the run waits for us: build at full speed. */
  struct pollfd pfds[3] = {{run->sync_fd, POLLIN, 0}, {run->signal_fd, POLLIN, 0}, {run->cfg->control_fd, POLLIN, 0}};
  for (;;) {
    if (poll(pfds, 3, -1) < 0 && errno != EINTR) die_errno("poll");
    if (pfds[1].revents) {
      if (take_signal(run) != SIGRAISE) die("cancelled before the run started");
      to_foreground(run);
    }
    if (pfds[2].revents) {
      to_foreground(run);
      pfds[2].fd = -1;
    }
    if (!pfds[0].revents) continue;
    struct msg_header header;
    char *payload;
    int passed_fd;
    int r = recv_msg(run->sync_fd, &header, &payload, &passed_fd);
    if (r <= 0) die("the sandbox died while it was being built");
    if (header.type == MSG_ERROR) die("%s", payload ? payload : "sandbox setup failed");
    free(payload);
    if (header.type == MSG_NEED_MAPS) {
      write_id_maps(run->child, uid_base);
      send_msg(run->sync_fd, MSG_MAPS_DONE, 0, NULL, 0);
    } else if (header.type == MSG_SCRATCH) {
      run->scratch_fd = passed_fd;
    } else if (header.type == MSG_READY) {
      run->program_fd = passed_fd;
      if (run->program_fd < 0) die("the sandbox sent no program channel");
      return;
    } else if (passed_fd >= 0) {
      close(passed_fd);
    }
  }
}

/* Lays the --box-from folders into /box in order through the scratch handle: the sandbox runs none
 * of its own code yet, so nothing there can race us; copy_into_box follows no link, and a later
 * folder's entry replaces what an earlier one left at its path. */
static void fill_box(struct run *run, uint32_t uid_base) {
  uid_t uid = uid_base + SANDBOX_UID;
  int box = openat(run->scratch_fd, "box", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (box < 0) die_errno("open the sandbox's /box");
  for (int i = 0; i < run->cfg->nbox_from; i++) {
    int src = open(run->cfg->box_from[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0) die_errno("open submission folder %s", run->cfg->box_from[i]);
    copy_into_box(src, box, uid, uid);
    close(src);
  }
  if (fchown(box, uid, uid) < 0) die_errno("chown /box");
  close(box);
}

/* After the run (every process of the sandbox is gone, so nothing moves under us): /box back to
 * the host, e.g. a build's output. Only folders and files: a link the sandbox made is left out, so
 * whatever root later writes into this folder cannot be led elsewhere. Capped at what the scratch
 * could hold; a sandbox that left more (hard links, deep folders) is the caller's input error. */
static void export_box(struct run *run) {
  int dst = open(run->cfg->box_out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dst < 0) die_errno("open --box-out %s", run->cfg->box_out);
  int box = openat(run->scratch_fd, "box", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (box < 0) die_errno("open the sandbox's /box");
  const struct export_caps caps = {.max_bytes = run->cfg->scratch_bytes, .max_entries = scratch_inodes(run->cfg->scratch_bytes)};
  export_box_tree(box, dst, &caps, &run->exported);
  close(box);
  close(dst);
}

/* The compiled filter (policy -> libseccomp -> BPF, in services/seccomp); we only pass it on. */
static char *read_filter(const char *path, uint32_t *length) {
  *length = 0;
  if (!path) return NULL;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) die_errno("open seccomp program %s", path);
  if (st.st_size == 0 || st.st_size % 8 || st.st_size > 4096 * 8)
    die("seccomp program %s has a bad size (%lld bytes)", path, (long long)st.st_size);
  char *bytes = malloc(st.st_size);
  if (!bytes || read_full(fd, bytes, st.st_size) != st.st_size) die_errno("read %s", path);
  close(fd);
  *length = (uint32_t)st.st_size;
  return bytes;
}

/* Opened as host root, so: only a regular file, no link followed (a directory or a link would give
 * the sandbox a way into the host's files), and no FIFO that could block us. The program gets a
 * sealed copy in memory (memfd_create(2), fcntl(2) F_ADD_SEALS), not the file: readlink
 * /proc/self/fd/0 then names no host path, and the program cannot change its input. Without a
 * stdin file the program reads /dev/null. */
static int open_stdin(const char *path) {
  if (!path) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) die_errno("open /dev/null");
    return fd;
  }
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) die_errno("open stdin %s", path);
  if (!S_ISREG(st.st_mode)) die("stdin %s is not a regular file", path);
  int copy = memfd_create("stdin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0) die_errno("memfd_create for stdin");
  for (off_t offset = 0; offset < st.st_size;) {
    ssize_t n = sendfile(copy, fd, &offset, st.st_size - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die_errno("copy stdin %s", path);
    if (n == 0) break; /* the file shrank */
  }
  if (lseek(copy, 0, SEEK_SET) < 0 || fcntl(copy, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    die_errno("seal the copy of stdin");
  close(fd);
  return copy;
}

/* Hands the program its run: stdin, filter, options. Its clock starts now. Everything is read
 * first and the three messages go back to back, so the program wakes once, not once for each. */
static void send_run(struct run *run, const char *options, uint32_t length) {
  if (run->link_in >= 0 && run->cfg->stdin_path) die("a linked run takes its stdin from the other sandbox, not --stdin");
  int stdin_fd = run->link_in >= 0 ? run->link_in : open_stdin(run->cfg->stdin_path);
  uint32_t filter_length;
  char *filter = read_filter(run->cfg->seccomp_path, &filter_length);
  run->started_us = monotonic_us();
  run->check_due = true;
  if (cgroup_read_cpu_us(&run->cpu_baseline_us) < 0) run->cpu_baseline_us = 0;
  cgroup_reset_peak();
  if (run->link_out >= 0) send_fd(run->program_fd, MSG_STDOUT, run->link_out);
  send_fd(run->program_fd, MSG_STDIN, stdin_fd);
  send_msg(run->program_fd, MSG_FILTER, 0, filter, filter_length);
  send_msg(run->program_fd, MSG_RUN, 0, options, length);
  close(stdin_fd);
  if (run->link_out >= 0) close(run->link_out);
  run->link_in = run->link_out = -1;
  free(filter);
}

static void start_run(struct run *run, uint32_t uid_base) {
  uint32_t length = 0;
  char *options = NULL;
  if (run->cfg->control_fd >= 0) {
    options = read_control(run->cfg->control_fd, run, &length);
    run->options = options;
    static char *args[MAX_ARGS + 2 * MAX_ENV + 64];
    int n = split_words(options, length, args, (int)(sizeof args / sizeof *args));
    parse_options(run->cfg, n, args, PHASE_RUN);
  }
  cgroup_apply_limits(&run->cfg->limits);
  fill_box(run, uid_base);
  send_run(run, options, length);
}

/* The run is over when its output is complete and the init is gone; or, to report sooner, when
 * its output is complete and the init has passed on the program's exit status: then the pid,
 * mount and network namespaces are torn down after the report (the init's exit does that, about
 * a millisecond the caller need not wait for). Not when /box goes back to the host or evidence is
 * taken (both need every process gone), nor when we killed the sandbox. */
static bool finished(const struct run *run) {
  if (run->streams[0].fd >= 0 || run->streams[1].fd >= 0) return false;
  if (run->child_exited) return true;
  return run->have_status && !run->cfg->box_out && !run->violation && !run->killed;
}

/* After an early report: the init is on its way out (it exits right after passing the status
 * on); SIGKILL makes sure, and the cgroup goes once it is empty. This stays at normal priority:
 * a caller may wait for it (SandboxPool.close), and it is short. */
static void tear_down(struct run *run) {
  kill(run->child, SIGKILL);
  if (waitpid(run->child, NULL, 0) < 0) die_errno("wait for the sandbox");
  current = NULL;
  cgroup_destroy();
}

/* The sandbox is gone. A supervisor that handled an incident or a cancel is not reused. */
static int finish(struct run *run) {
  free(run->options);
  run->options = NULL;
  if (run->violation || run->cancelled) return LAUNCH_RETIRE;
  sandbox_netns_release();
  return 0;
}

int supervise(struct config *cfg, pid_t child, int sync_fd, int out_fd, int err_fd, uint32_t uid_base) {
  struct run run = {.cfg = cfg, .child = child, .sync_fd = sync_fd, .notify_fd = -1, .scratch_fd = -1, .program_fd = -1,
                    .link_in = -1, .link_out = -1};
  current = &run;
  die_hook = cleanup_on_die;
  run.streams[0] = (struct stream){out_fd, 1, 0, false};
  run.streams[1] = (struct stream){err_fd, 2, 0, false};
  run.signal_fd = supervisor_signals();
  run.pidfd = (int)syscall(SYS_pidfd_open, child, 0);
  run.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (run.pidfd < 0 || run.timer_fd < 0) die_errno("pidfd/timerfd");
  for (int i = 0; i < 2; i++) fcntl(run.streams[i].fd, F_SETFL, O_NONBLOCK);
  static int ncpus;
  if (!ncpus) ncpus = get_nprocs(); /* once per supervisor: it reads a file each time */

  wait_until_ready(&run, uid_base);
  emit_status("{\"event\":\"ready\",\"pid\":%d}", getpid());
  start_run(&run, uid_base);

  while (!finished(&run)) {
    struct pollfd pfds[8] = {
        {run.sync_fd, POLLIN, 0}, {run.streams[0].fd, POLLIN, 0}, {run.streams[1].fd, POLLIN, 0},
        {run.child_exited ? -1 : run.pidfd, POLLIN, 0}, {run.timer_fd, POLLIN, 0}, {run.signal_fd, POLLIN, 0},
        {run.notify_fd, POLLIN, 0}, {run.program_fd, POLLIN, 0}};
    if (poll(pfds, 8, -1) < 0) {
      if (errno == EINTR) continue;
      die_errno("poll");
    }
    if (pfds[7].revents) handle_program_message(&run);
    if (pfds[6].revents) handle_notification(&run, pfds[6].revents);
    if (pfds[0].revents) handle_message(&run, uid_base);
    for (int i = 0; i < 2; i++)
      if (pfds[1 + i].revents) pump(&run, &run.streams[i]);
    if (pfds[3].revents) run.child_exited = true;
    if (pfds[4].revents) {
      uint64_t ticks;
      if (read(run.timer_fd, &ticks, sizeof ticks) < 0) { /* nothing to do */ }
    }
    if (pfds[5].revents && take_signal(&run) != SIGRAISE) {
      run.cancelled = true;
      kill_sandbox(&run);
    }
    if (pfds[4].revents || run.check_due) {
      run.check_due = false;
      check_budgets(&run, ncpus);
    }
  }
  /* Messages sent just before the sandbox ended are still in the sockets. */
  while (run.program_fd >= 0) handle_program_message(&run);
  if (!run.child_exited) {
    /* A process the program left may be stopped at a forbidden call: that is an incident. */
    struct pollfd pending = {run.notify_fd, POLLIN, 0};
    if (run.notify_fd >= 0 && poll(&pending, 1, 0) > 0) handle_notification(&run, pending.revents);
    if (!run.violation) {
      report_exit(&run, 0, NULL);
      tear_down(&run);
      return finish(&run);
    }
  }
  while (run.sync_fd >= 0) handle_message(&run, uid_base);

  int init_status;
  struct rusage ru;
  if (wait4(child, &init_status, 0, &ru) < 0) die_errno("wait for the sandbox");
  current = NULL;
  die_hook = cleanup_after_run;
  if (run.setup_error) {
    cgroup_destroy();
    die("%s", run.setup_error);
  }
  if (cfg->box_out && !run.violation) export_box(&run);
  report_exit(&run, init_status, &ru);
  cgroup_destroy();
  return finish(&run);
}
