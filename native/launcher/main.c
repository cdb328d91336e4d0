/* gradebox-launch: runs one command in a fresh sandbox and reports on it.
 *
 *   gradebox-launch --root-lower DIR [--ro-bind SRC DST]... [--status-fd N] RUN OPTIONS -- COMMAND [ARGS...]
 *   gradebox-launch --sweep [--state-dir DIR] [--cgroup-name NAME]
 *   gradebox-launch --serve [--state-dir DIR] [--cgroup-name NAME]
 *
 * Mechanism only: services/sandbox/ decides every path, limit and variable. With --serve one
 * long-lived launcher serves many sandboxes (server.c): each is built first and its run options
 * come afterwards, so sandboxes can be prepared ahead of demand, and no run pays for spawning a
 * process from Node. */
#include "launcher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_flag(int argc, char **argv, const char *flag) {
  for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
    if (strcmp(argv[i], flag) == 0) return true;
  return false;
}

/* Removes cgroups left by runs that crashed, for every slot nobody holds now. */
static int sweep_free_slots(const struct config *cfg) {
  int swept = 0;
  for (int slot = 0; slot < MAX_SLOTS; slot++) {
    int lock_fd;
    if (!try_slot(cfg->state_dir, slot, &lock_fd)) continue;
    cgroup_sweep(cfg->cgroup_name, slot);
    close(lock_fd);
    swept++;
  }
  return swept;
}

static void prepare_state_dir(const char *state_dir) {
  char path[4096];
  if (ensure_dir(state_dir, 0700) < 0) die_errno("mkdir %s", state_dir);
  const char *subdirs[] = {"slots", "scratch", "root"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", state_dir, subdirs[i]);
    if (ensure_dir(path, 0700) < 0) die_errno("mkdir %s", path);
  }
}

int main(int argc, char **argv) {
  struct config cfg;
  config_defaults(&cfg);
  bool serving = has_flag(argc, argv, "--serve");
  bool run_options_later = serving || has_flag(argc, argv, "--sweep");
  parse_options(&cfg, argc - 1, argv + 1, run_options_later ? PHASE_SHAPE : PHASE_SHAPE | PHASE_RUN);
  status_fd = cfg.status_fd;
  /* Whatever started us may have ignored signals (nohup ignores SIGHUP), and an ignored signal
   * survives execve (signal(7)): every disposition goes back to its default here, once, so that
   * a program starts with the defaults having to reset only SIGPIPE, which we ignore ourselves. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  /* A reader that went away is an error to handle (EPIPE), not a reason to die mid-run. */
  signal(SIGPIPE, SIG_IGN);
  /* If our caller dies, SIGTERM makes us tear the sandbox down instead of leaving it running. */
  if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0) die_errno("PR_SET_PDEATHSIG");
  if (geteuid() != 0) die("gradebox-launch must run as root (it builds namespaces and cgroups)");
  cgroup_init();
  atexit(cgroup_release); /* inherited by supervisors; a sandbox's processes leave with _exit */
  prepare_state_dir(cfg.state_dir);
  if (cfg.sweep_only) {
    emit_status("{\"event\":\"swept\",\"slots\":%d}", sweep_free_slots(&cfg));
    return 0;
  }

  /* SIGTERM/SIGINT/SIGHUP are read from a signalfd. */
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  if (serving) {
    sweep_free_slots(&cfg); /* a crashed run's leftovers go at the next start */
    return serve(&cfg);
  }
  int code = launch(&cfg);
  return code == LAUNCH_RETIRE ? 0 : code;
}
