/* Command-line and control-message options of the launcher. The launcher decides nothing:
 * every path, limit and variable comes from the caller (services/sandbox/launcher.ts). */
#include "launcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_defaults(struct config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->status_fd = -1;
  cfg->control_fd = -1;
  cfg->state_dir = "/run/gradebox";
  cfg->cgroup_name = "gradebox";
  cfg->scratch_bytes = 64ll << 20;
  cfg->hostname = "gradebox";
  cfg->cwd = "/box";
  cfg->evidence_max_bytes = 64ll << 20;
  cfg->evidence_max_entries = 10000;
  cfg->evidence_max_file_bytes = 16ll << 20;
}

static int64_t parse_number(const char *flag, const char *value, int64_t min, int64_t max) {
  char *end;
  errno = 0;
  long long n = strtoll(value, &end, 10);
  if (errno || *end || end == value || n < min || n > max)
    die("%s needs a whole number from %lld to %lld, got '%s'", flag, (long long)min, (long long)max, value);
  return n;
}

#define KB(x) ((x) * 1024ll)
#define TB 1099511627776ll

void parse_options(struct config *cfg, int argc, char **argv, int phases) {
  int i = 0;
  while (i < argc) {
    const char *flag = argv[i];
    if (strcmp(flag, "--") == 0) {
      if (!(phases & PHASE_RUN)) die("the command must come with the run options");
      if (i + 1 >= argc) die("missing command after --");
      if (argc - i - 1 > MAX_ARGS) die("too many arguments (at most %d)", MAX_ARGS);
      cfg->argv = &argv[i + 1];
      return;
    }
    if ((strcmp(flag, "--sweep") == 0 || strcmp(flag, "--serve") == 0 || strcmp(flag, "--background") == 0) &&
        (phases & PHASE_SHAPE)) {
      if (strcmp(flag, "--sweep") == 0) cfg->sweep_only = true;
      if (strcmp(flag, "--background") == 0) cfg->background = true;
      i++;
      continue;
    }
    if (i + 1 >= argc) die("option %s needs a value", flag);
    const char *value = argv[i + 1];
    int used = 2;
    if (phases & PHASE_SHAPE && strcmp(flag, "--status-fd") == 0)
      cfg->status_fd = (int)parse_number(flag, value, 1, 1023);
    else if (phases & PHASE_SHAPE && strcmp(flag, "--state-dir") == 0)
      cfg->state_dir = value;
    else if (phases & PHASE_SHAPE && strcmp(flag, "--cgroup-name") == 0)
      cfg->cgroup_name = value;
    else if (phases & PHASE_SHAPE && strcmp(flag, "--root-lower") == 0)
      cfg->root_lower = value;
    else if (phases & PHASE_SHAPE && strcmp(flag, "--ro-bind") == 0) {
      if (i + 2 >= argc) die("--ro-bind needs SRC and DST");
      if (cfg->nbinds == MAX_MOUNTS) die("too many --ro-bind (at most %d)", MAX_MOUNTS);
      if (argv[i + 2][0] != '/') die("--ro-bind destination must be absolute: %s", argv[i + 2]);
      cfg->binds[cfg->nbinds].src = value;
      cfg->binds[cfg->nbinds].dst = argv[i + 2];
      cfg->nbinds++;
      used = 3;
    } else if (phases & PHASE_SHAPE && strcmp(flag, "--scratch-kb") == 0)
      cfg->scratch_bytes = KB(parse_number(flag, value, 64, 64ll << 20));
    else if (phases & PHASE_SHAPE && strcmp(flag, "--evidence-dir") == 0)
      cfg->evidence_dir = value;
    else if (phases & PHASE_SHAPE && strcmp(flag, "--evidence-max-kb") == 0)
      cfg->evidence_max_bytes = KB(parse_number(flag, value, 1, 64ll << 20));
    else if (phases & PHASE_SHAPE && strcmp(flag, "--evidence-max-entries") == 0)
      cfg->evidence_max_entries = parse_number(flag, value, 1, 10000000);
    else if (phases & PHASE_SHAPE && strcmp(flag, "--evidence-max-file-kb") == 0)
      cfg->evidence_max_file_bytes = KB(parse_number(flag, value, 1, 64ll << 20));
    else if (phases & PHASE_SHAPE && strcmp(flag, "--hostname") == 0)
      cfg->hostname = value;
    else if (phases & PHASE_SHAPE && strcmp(flag, "--cpus") == 0) {
      cpu_set_t set;
      if (!parse_cpu_list(value, &set)) die("--cpus needs a CPU list such as 1 or 0-1,3, got '%s'", value);
      cfg->cpus = value;
    }
    else if (phases & PHASE_RUN && strcmp(flag, "--cpu-ms") == 0)
      cfg->limits.cpu_ms = parse_number(flag, value, 1, 86400000);
    else if (phases & PHASE_RUN && strcmp(flag, "--wall-ms") == 0)
      cfg->limits.wall_ms = parse_number(flag, value, 1, 86400000);
    else if (phases & PHASE_RUN && strcmp(flag, "--memory-kb") == 0)
      cfg->limits.memory_bytes = KB(parse_number(flag, value, 1024, 1ll << 30));
    else if (phases & PHASE_RUN && strcmp(flag, "--pids") == 0)
      cfg->limits.pids = parse_number(flag, value, 1, 1 << 22);
    else if (phases & PHASE_RUN && strcmp(flag, "--output-bytes") == 0)
      cfg->limits.output_bytes = parse_number(flag, value, 0, TB);
    else if (phases & PHASE_RUN && strcmp(flag, "--fsize-kb") == 0)
      cfg->limits.fsize_bytes = KB(parse_number(flag, value, 1, 1ll << 30));
    else if (phases & PHASE_RUN && strcmp(flag, "--open-files") == 0)
      cfg->limits.open_files = parse_number(flag, value, 4, 1 << 20);
    else if (phases & PHASE_RUN && strcmp(flag, "--stack-kb") == 0)
      cfg->limits.stack_bytes = KB(parse_number(flag, value, 64, 1ll << 30));
    else if (phases & PHASE_RUN && strcmp(flag, "--cpuset") == 0)
      cfg->limits.cpuset = value;
    else if (phases & PHASE_RUN && strcmp(flag, "--box-from") == 0) {
      if (cfg->nbox_from == MAX_BOX_SOURCES) die("too many --box-from (at most %d)", MAX_BOX_SOURCES);
      cfg->box_from[cfg->nbox_from++] = value;
    }
    else if (phases & PHASE_RUN && strcmp(flag, "--box-out") == 0)
      cfg->box_out = value;
    else if (phases & PHASE_RUN && strcmp(flag, "--stdin") == 0)
      cfg->stdin_path = value;
    else if (phases & PHASE_RUN && strcmp(flag, "--cwd") == 0)
      cfg->cwd = value;
    else if (phases & PHASE_RUN && strcmp(flag, "--seccomp") == 0)
      cfg->seccomp_path = value;
    else if (phases & PHASE_RUN && strcmp(flag, "--env") == 0) {
      if (!strchr(value, '=')) die("--env needs NAME=VALUE, got '%s'", value);
      if (cfg->nenv == MAX_ENV) die("too many --env (at most %d)", MAX_ENV);
      cfg->env[cfg->nenv++] = (char *)value;
    } else
      die("unknown option %s", flag);
    i += used;
  }
  if (phases & PHASE_RUN) die("missing command: end the run options with -- COMMAND [ARGS]");
}
