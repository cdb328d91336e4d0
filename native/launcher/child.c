/* Inside the sandbox: PID 1 builds the file system, waits for the run options, enters the
 * user namespace, starts the program and then only reaps zombies and forwards signals. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_sync_fd = -1;

static void report_to_supervisor(const char *message) {
  if (child_sync_fd >= 0) send_msg(child_sync_fd, MSG_ERROR, 0, message, strlen(message));
  _exit(1);
}

/* The sandbox dies with its supervisor. The kernel forgets this setting whenever our uid
 * changes (prctl(2)), so it is set again after each change; a supervisor that died in between
 * shows as a hung-up sync socket. */
static void die_with_supervisor(int sync_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die_errno("PR_SET_PDEATHSIG");
  struct pollfd pfd = {sync_fd, POLLRDHUP, 0};
  if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP))) _exit(1);
}

static void close_all_but(int a, int b, int c) {
  int keep[3] = {a, b, c};
  /* sort the three descriptors and close the gaps between them */
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++)
      if (keep[j] < keep[i]) { int t = keep[i]; keep[i] = keep[j]; keep[j] = t; }
  unsigned from = 3;
  for (int i = 0; i < 3; i++) {
    if ((unsigned)keep[i] > from) syscall(SYS_close_range, from, keep[i] - 1, 0);
    from = keep[i] + 1;
  }
  syscall(SYS_close_range, from, ~0U, 0);
}

/* Split a NUL-separated options message into an argv array and parse it as run options. */
static void parse_run_message(struct config *cfg, char *payload, uint32_t length) {
  static char *args[MAX_ARGS + 2 * MAX_ENV + 64];
  int n = split_words(payload, length, args, (int)(sizeof args / sizeof *args));
  parse_options(cfg, n, args, PHASE_RUN);
}

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Last step before exec: from here on every syscall outside the policy stops in the kernel and
 * waits for the supervisor, which holds the listener (seccomp_unotify(2)). The log flag makes the
 * kernel write SECCOMP audit records for errno and notify actions too. Once the supervisor has
 * read a notification, the caller waits killable only, so no signal withdraws the call while the
 * incident is handled (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, seccomp(2), Linux 5.19; an older
 * kernel refuses the flag with EINVAL and the filter goes in without it). Only write, sendmsg,
 * close, execve and exit_group may follow, and every policy allows them. */
static void install_filter(const struct sock_fprog *prog, int channel) {
  if (!prog->len) return;
  const unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_LOG;
  int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog);
  bool killable = listener >= 0;
  if (listener < 0 && errno == EINVAL) listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
  if (listener < 0) die_errno("install the seccomp filter");
  send_fd_value(channel, MSG_LISTENER, listener, killable ? 1 : 0);
  close(listener);
}

static void enter_user_namespace(int sync_fd) {
  if (setgroups(0, NULL) < 0) die_errno("setgroups");
  if (unshare(CLONE_NEWUSER) < 0) die_errno("unshare user namespace");
  send_msg(sync_fd, MSG_NEED_MAPS, 0, NULL, 0);
  struct msg_header header;
  char *payload;
  if (recv_msg(sync_fd, &header, &payload, NULL) <= 0 || header.type != MSG_MAPS_DONE) _exit(1);
  /* Until now our kernel uid was still the host's root; become the namespace's root (a host nobody). */
  if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) die_errno("become root of the user namespace");
  die_with_supervisor(sync_fd);
}

int last_capability(void) {
  static int last = -1;
  if (last >= 0) return last;
  char buf[16];
  last = read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof buf) > 0 ? atoi(buf) : CAP_LAST_CAP;
  return last;
}

/* The bounding and ambient sets emptied; done by the init before it starts the program, which
 * inherits both (capabilities(7)), so the dozens of calls are made once per sandbox. */
static void drop_bounding_set(void) {
  int last = last_capability();
  for (int cap = 0; cap <= last; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) die_errno("drop capability %d", cap);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) die_errno("clear ambient capabilities");
}

/* The effective, permitted and inheritable sets: only `kept` (a CAP_TO_MASK set) is left, after
 * drop_bounding_set. The init keeps CAP_SETUID and CAP_SETGID until it starts the program, which
 * needs them to become its own user; then it keeps nothing. */
static void limit_capabilities(uint32_t kept) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {{.effective = kept, .permitted = kept}};
  if (syscall(SYS_capset, &header, data) < 0) die_errno("capset");
}

/* Becomes uid (and gid), with no capability left and no way to gain one. */
static void drop_capabilities(uid_t uid) {
  if (setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0) die_errno("setresuid %d", uid);
  limit_capabilities(0);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_errno("no_new_privs");
}

static void set_limit(int resource, const char *name, rlim_t soft, rlim_t hard) {
  struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};
  if (setrlimit(resource, &rl) < 0) die_errno("setrlimit %s", name);
}

static void set_rlimits(const struct limits *limits) {
  set_limit(RLIMIT_CORE, "core", 0, 0);
  if (limits->stack_bytes) set_limit(RLIMIT_STACK, "stack", limits->stack_bytes, limits->stack_bytes);
  if (limits->open_files) set_limit(RLIMIT_NOFILE, "nofile", limits->open_files, limits->open_files);
  if (limits->fsize_bytes) set_limit(RLIMIT_FSIZE, "fsize", limits->fsize_bytes, limits->fsize_bytes);
  if (limits->cpu_ms) {
    /* A backstop only: the supervisor measures CPU time of the whole cgroup. */
    rlim_t seconds = (limits->cpu_ms + 999) / 1000 + 1;
    set_limit(RLIMIT_CPU, "cpu", seconds, seconds + 1);
  }
}

/* Waits for the supervisor's run messages: the stdin descriptor (and, for a linked run, the stdout
 * one), the filter, the run options. */
static void receive_run(struct config *cfg, int channel, int *stdin_fd, int *stdout_fd, struct sock_fprog *filter) {
  struct msg_header header;
  char *payload;
  int passed_fd;
  for (;;) {
    if (recv_msg(channel, &header, &payload, &passed_fd) <= 0) _exit(1); /* cancelled before the run */
    if (header.type == MSG_STDIN) *stdin_fd = passed_fd;
    else if (header.type == MSG_STDOUT) *stdout_fd = passed_fd;
    else if (header.type == MSG_FILTER && header.length) {
      if (header.length % sizeof(struct sock_filter) || header.length > BPF_MAXINSNS * sizeof(struct sock_filter))
        die("the seccomp program has a bad size (%u bytes)", header.length);
      filter->filter = (struct sock_filter *)payload;
      filter->len = (unsigned short)(header.length / sizeof(struct sock_filter));
    } else if (header.type == MSG_RUN) {
      if (header.length) parse_run_message(cfg, payload, header.length);
      if (*stdin_fd < 0) die("no stdin descriptor came with the run");
      return;
    }
  }
}

/* The program's process: a vfork child of the init, so starting it copies no address space (on a
 * virtual machine, creating one costs more than the exec itself). It gives up every privilege,
 * takes its stdio and limits, installs the filter and execs; the init stays suspended until then.
 * It shares the init's memory, so it writes none of it but the `environ` pointer, which only this
 * process reads from here on. */
static void __attribute__((noreturn)) program_main(struct config *cfg, int channel, int stdin_fd, int stdout_fd, int out_fd,
                                                   int err_fd, const struct sock_fprog *filter) {
  sigset_t none;
  sigemptyset(&none);
  signal(SIGPIPE, SIG_DFL); /* the only signal the launcher ignores (main.c); no handler survives execve */
  sigprocmask(SIG_SETMASK, &none, NULL);
  drop_capabilities(SANDBOX_UID);
  if (setsid() < 0) die_errno("setsid");
  /* A linked run writes to the other sandbox; the captured pipe then sees EOF at once. */
  if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd >= 0 ? stdout_fd : out_fd, 1) < 0 || dup2(err_fd, 2) < 0) die_errno("dup2");
  /* Fewer descriptors open: a tight --open-files still leaves room for the filter's listener. */
  close(stdin_fd);
  if (stdout_fd >= 0) close(stdout_fd);
  close(out_fd);
  close(err_fd);
  set_rlimits(&cfg->limits);
  if (chdir(cfg->cwd) < 0) die_errno("chdir %s", cfg->cwd);
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  extern char **environ;
  environ = cfg->env;
  install_filter(filter, channel);
  execvp(cfg->argv[0], cfg->argv);
  send_msg(channel, MSG_EXEC_FAILED, errno, NULL, 0);
  _exit(127);
}

/* PID 1: reap every zombie, pass termination signals on to the program, leave with it. */
static void __attribute__((noreturn)) init_loop(pid_t program, int sync_fd, const sigset_t *watched) {
  for (;;) {
    int sig = sigwaitinfo(watched, NULL);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(program, sig);
      continue;
    }
    int status;
    pid_t pid;
    struct rusage usage;
    while ((pid = wait4(-1, &status, WNOHANG, &usage)) > 0) {
      if (pid == program) {
        /* With its rusage, so the supervisor can report before this pid namespace is torn down. */
        send_msg(sync_fd, MSG_EXITED, status, &usage, sizeof usage);
        _exit(0); /* the kernel now kills whatever the program left behind in this pid namespace */
      }
    }
  }
}

int child_main(struct config *cfg, int net_fd, int sync_fd, int out_fd, int err_fd, uint32_t uid_base) {
  child_sync_fd = sync_fd;
  die_hook = report_to_supervisor;
  status_fd = -1;
  die_with_supervisor(sync_fd);
  if (setns(net_fd, CLONE_NEWNET) < 0) die_errno("join the sandbox's network namespace");
  close_all_but(sync_fd, out_fd, err_fd);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0) die_errno("/dev/null");
  close(devnull);

  cgroup_join_self();
  if (unshare(CLONE_NEWCGROUP) < 0) die_errno("unshare cgroup namespace");
  if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) die_errno("sethostname");
  setup_rootfs(cfg, sync_fd);
  enter_user_namespace(sync_fd);

  sigset_t watched;
  sigemptyset(&watched);
  int forwarded[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaddset(&watched, forwarded[i]);
  sigprocmask(SIG_BLOCK, &watched, NULL);
  /* The supervisor talks to the program over a channel of its own: its run options come in on it,
   * its seccomp listener (or why exec failed) goes out, and it ends (EOF) once the program runs. */
  int channel[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) < 0) die_errno("socketpair");
  drop_bounding_set();
  limit_capabilities(CAP_TO_MASK(CAP_SETUID) | CAP_TO_MASK(CAP_SETGID));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_errno("no_new_privs");
  send_fd(sync_fd, MSG_READY, channel[0]);
  close(channel[0]);

  int stdin_fd = -1, stdout_fd = -1;
  struct sock_fprog filter = {0};
  receive_run(cfg, channel[1], &stdin_fd, &stdout_fd, &filter);
  pid_t program = vfork();
  if (program < 0) die_errno("start the program");
  if (program == 0) program_main(cfg, channel[1], stdin_fd, stdout_fd, out_fd, err_fd, &filter);
  /* Back here once the program has exec'd (or failed to). */
  limit_capabilities(0);
  close(channel[1]);
  close(stdin_fd);
  if (stdout_fd >= 0) close(stdout_fd);
  close(out_fd);
  close(err_fd);
  init_loop(program, sync_fd, &watched);
}
