/* A syscall outside the policy is a security incident. In this order: stop every process of the
 * sandbox, record the offender, snapshot what the sandbox could write, kill everything, report.
 * The notified call itself is never allowed to proceed: we never answer it. */
#include "incident.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000
#define SNAPSHOT_TIMEOUT_MS 30000
/* Rounds of the SIGSTOP walk: far more than the forks a pids limit allows between two reads. */
#define STOP_ROUNDS 10000
/* How long the stopped processes get to take their SIGSTOP before the snapshot starts anyway. */
#define STOP_WAIT_MS 100

static const char *arch_name(uint32_t arch, int nr) {
  if (arch == AUDIT_ARCH_X86_64) return (nr & X32_SYSCALL_BIT) ? "x32" : "x86_64";
  if (arch == AUDIT_ARCH_I386) return "i386";
  return "unknown";
}

/* The processes the stop walk has signalled. */
struct pid_list {
  pid_t *pids;
  size_t count;
};

/* SIGSTOPs every pid cgroup.procs lists now; true if one of them was not in `seen` (which grows). */
static bool stop_listed(const char *procs, struct pid_list *seen) {
  FILE *f = fopen(procs, "re");
  if (!f) return false;
  bool found_new = false;
  int pid;
  while (fscanf(f, "%d", &pid) == 1) {
    kill(pid, SIGSTOP);
    bool known = false;
    for (size_t i = 0; i < seen->count && !known; i++) known = seen->pids[i] == pid;
    if (known) continue;
    pid_t *grown = realloc(seen->pids, (seen->count + 1) * sizeof *grown);
    if (!grown) break;
    seen->pids = grown;
    seen->pids[seen->count++] = pid;
    found_new = true;
  }
  fclose(f);
  return found_new;
}

/* Stopped (T), gone, or the offender, which sleeps in the kernel until an answer that never comes. */
static bool has_stopped(pid_t pid, pid_t offender) {
  char path[64], stat[1024];
  if (pid == offender) return true;
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (read_file(path, stat, sizeof stat) < 0) return true;
  const char *name_end = strrchr(stat, ')'); /* the command name may hold spaces and parentheses */
  if (!name_end || name_end[1] != ' ') return false;
  return strchr("TtZX", name_end[2]) != NULL;
}

/* Stops every process of the sandbox, grandchildren included, with SIGSTOP, which none can catch or
 * ignore. Not with the cgroup freezer: once we have read its notification, the offender sleeps
 * killable in the kernel (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), where the freezer cannot reach
 * it, so the cgroup would never report frozen. cgroup.procs is read again until a read, made after
 * a pause that lets a fork in flight finish, lists no pid not seen before: a process forked
 * meanwhile shows up in the next read (the pids limit bounds the rounds). Then each gets up to
 * STOP_WAIT_MS in all to stop: a signal takes effect when its process next leaves the kernel. */
static void stop_everything(pid_t offender) {
  char procs[600];
  cgroup_procs_path(procs, sizeof procs);
  struct pid_list seen = {NULL, 0};
  for (int round = 0; round < STOP_ROUNDS; round++) {
    if (stop_listed(procs, &seen)) continue;
    usleep(1000);
    if (!stop_listed(procs, &seen)) break;
  }
  int64_t deadline = monotonic_us() + STOP_WAIT_MS * 1000;
  for (size_t i = 0; i < seen.count; i++)
    while (!has_stopped(seen.pids[i], offender) && monotonic_us() < deadline) usleep(100);
  free(seen.pids);
}

/* Appends a /proc file of the offender, NULs shown as spaces, JSON-escaped and capped. */
static void proc_text(pid_t pid, const char *name, char *out, size_t size) {
  char path[64], raw[1024];
  snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
  int n = read_file(path, raw, sizeof raw);
  if (n < 0) n = 0;
  for (int i = 0; i < n; i++)
    if (raw[i] == 0) raw[i] = ' ';
  raw[n] = 0;
  json_string(out, size, raw);
}

static void open_fds(pid_t pid, char *out, size_t size) {
  char dir_path[64], link_path[320], target[256], escaped[600];
  snprintf(dir_path, sizeof dir_path, "/proc/%d/fd", pid);
  size_t o = snprintf(out, size, "[");
  DIR *dir = opendir(dir_path);
  int count = 0;
  struct dirent *entry;
  while (dir && (entry = readdir(dir)) && count < 32) {
    if (entry->d_name[0] == '.') continue;
    snprintf(link_path, sizeof link_path, "%s/%s", dir_path, entry->d_name);
    ssize_t n = readlink(link_path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    json_string(escaped, sizeof escaped, target);
    if (o + strlen(escaped) + 32 >= size) break;
    o += snprintf(out + o, size - o, "%s{\"fd\":%s,\"target\":%s}", count++ ? "," : "", entry->d_name, escaped);
  }
  if (dir) closedir(dir);
  snprintf(out + o, size - o, "]");
}

/* The lines of /proc/PID/status that say who the offender was. */
static void proc_status(pid_t pid, char *out, size_t size) {
  static const char *const keys[] = {"Name:", "State:", "PPid:", "Uid:", "Gid:", "NSpid:", "Threads:", "VmRSS:", "SigBlk:", "CapEff:", "Seccomp:", NULL};
  char path[64], raw[4096], kept[1024] = "";
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  if (read_file(path, raw, sizeof raw) < 0) raw[0] = 0;
  size_t o = 0;
  for (char *line = strtok(raw, "\n"); line; line = strtok(NULL, "\n"))
    for (int k = 0; keys[k]; k++)
      if (strncmp(line, keys[k], strlen(keys[k])) == 0 && o + strlen(line) + 2 < sizeof kept)
        o += snprintf(kept + o, sizeof kept - o, "%s\n", line);
  json_string(out, size, kept);
}

static void report_offender(const struct seccomp_notif *req) {
  char cmdline[700], status[1400], fds[1800], args[6][24];
  proc_text(req->pid, "cmdline", cmdline, sizeof cmdline);
  proc_status(req->pid, status, sizeof status);
  open_fds(req->pid, fds, sizeof fds);
  for (int i = 0; i < 6; i++) snprintf(args[i], sizeof args[i], "0x%llx", (unsigned long long)req->data.args[i]);
  emit_status("{\"event\":\"violation\",\"nr\":%d,\"arch\":\"%s\",\"host_pid\":%u,"
              "\"args\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"],\"ip\":\"0x%llx\",\"cmdline\":%s,\"status\":%s,\"fds\":%s}",
              req->data.nr, arch_name(req->data.arch, req->data.nr), req->pid, args[0], args[1], args[2], args[3],
              args[4], args[5], (unsigned long long)req->data.instruction_pointer, cmdline, status, fds);
}

static void new_incident_id(char *id, size_t size) {
  unsigned char random[8] = {0};
  if (getrandom(random, sizeof random, 0) != sizeof random) memset(random, 0, sizeof random);
  size_t o = snprintf(id, size, "%lld-", (long long)time(NULL));
  for (size_t i = 0; i < sizeof random && o + 2 < size; i++) o += snprintf(id + o, size - o, "%02x", random[i]);
}

/* The sha256 from gradebox-snapshot's one-line JSON report. */
static int parse_sha256(const char *report, char *sha256) {
  const char *key = strstr(report, "\"archive_sha256\":\"");
  if (!key || strlen(key) < 18 + 64) return -1;
  memcpy(sha256, key + 18, 64);
  sha256[64] = 0;
  return 0;
}

/* Reads the tool's report, killing it if it takes longer than SNAPSHOT_TIMEOUT_MS: the sandbox
 * stays frozen meanwhile, so a hung snapshot must not hold it forever. */
static void read_report(int fd, char *report, size_t size, pid_t tool) {
  size_t used = 0;
  int64_t deadline = monotonic_us() + SNAPSHOT_TIMEOUT_MS * 1000;
  for (;;) {
    int64_t left_ms = (deadline - monotonic_us()) / 1000;
    struct pollfd pfd = {fd, POLLIN, 0};
    if (left_ms <= 0 || (poll(&pfd, 1, (int)left_ms) == 0)) {
      kill(tool, SIGKILL);
      return;
    }
    ssize_t n = read(fd, report + used, size - 1 - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || (used += n) >= size - 1) break;
  }
  report[used] = 0;
}

/* Runs gradebox-snapshot (next to this executable) on the scratch tmpfs, which it inherits as a
 * descriptor: it archives upper/, box/ and tmp/ into evidence_dir/ID/ and reports the sha256. */
static int snapshot_evidence(const struct incident_context *ctx, const char *id, char *archive, char *manifest,
                             char *sha256) {
  char dir[4096], tool[4096], scratch[32], max_bytes[32], max_entries[32], max_file[32], report[4096] = "";
  snprintf(dir, sizeof dir, "%s/%s", ctx->evidence_dir, id);
  if (mkdir(ctx->evidence_dir, 0700) < 0 && errno != EEXIST) return -1;
  if (mkdir(dir, 0700) < 0) return -1;
  snprintf(archive, 4096, "%s/evidence.tar", dir);
  snprintf(manifest, 4096, "%s/manifest.json", dir);
  ssize_t n = readlink("/proc/self/exe", tool, sizeof tool - 32);
  if (n < 0) return -1;
  tool[n] = 0;
  strcpy(strrchr(tool, '/') + 1, "gradebox-snapshot");
  snprintf(max_bytes, sizeof max_bytes, "%llu", (unsigned long long)ctx->limits.max_bytes);
  snprintf(max_entries, sizeof max_entries, "%llu", (unsigned long long)ctx->limits.max_entries);
  snprintf(max_file, sizeof max_file, "%llu", (unsigned long long)ctx->limits.max_file_bytes);
  int out[2];
  if (pipe2(out, O_CLOEXEC) < 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL); /* an ignored signal would survive execve */
    int fd = dup(ctx->scratch_fd); /* without O_CLOEXEC: the tool inherits it */
    snprintf(scratch, sizeof scratch, "fd:%d", fd);
    if (fd < 0 || dup2(out[1], 1) < 0) _exit(127);
    char *argv[] = {tool, scratch, archive, manifest, max_bytes, max_entries, max_file, "upper", "box", "tmp", NULL};
    char *envp[] = {NULL};
    execve(tool, argv, envp);
    _exit(127);
  }
  close(out[1]);
  int status = -1;
  if (pid > 0) {
    read_report(out[0], report, sizeof report, pid);
    waitpid(pid, &status, 0);
  }
  close(out[0]);
  if (status != 0 || parse_sha256(report, sha256) < 0) {
    char escaped[4200];
    json_string(escaped, sizeof escaped, report[0] ? report : "gradebox-snapshot failed");
    emit_status("{\"event\":\"snapshot_failed\",\"message\":%s}", escaped);
    archive[0] = manifest[0] = 0;
    return -1;
  }
  return 0;
}

bool receive_violation(int notify_fd, struct seccomp_notif *req) {
  memset(req, 0, sizeof *req);
  if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) return false; /* ENOENT: the caller died */
  return true;
}

void handle_incident(const struct seccomp_notif *req, pid_t init, const struct incident_context *ctx) {
  const char *steps[3];
  int nsteps = 0;
  char id[64];
  new_incident_id(id, sizeof id);
  int64_t t0 = monotonic_us();
  stop_everything((pid_t)req->pid);
  int64_t stop_us = monotonic_us() - t0;
  steps[nsteps++] = "stopped";
  report_offender(req);

  char evidence[4096] = "", manifest[4096] = "", sha256[65] = "";
  if (ctx->evidence_dir && ctx->scratch_fd >= 0 && snapshot_evidence(ctx, id, evidence, manifest, sha256) == 0)
    steps[nsteps++] = "snapshotted";

  /* Stopped processes die of SIGKILL at once, and none can fork any more: one round is enough. */
  kill(init, SIGKILL);
  cgroup_kill_all(true);
  steps[nsteps++] = "killed";
  int64_t total_us = monotonic_us() - t0;

  char evidence_json[4200], manifest_json[4200], steps_json[128];
  json_string(evidence_json, sizeof evidence_json, evidence);
  json_string(manifest_json, sizeof manifest_json, manifest);
  size_t o = 0;
  for (int i = 0; i < nsteps; i++) o += snprintf(steps_json + o, sizeof steps_json - o, "%s\"%s\"", i ? "," : "", steps[i]);
  emit_status("{\"event\":\"incident\",\"id\":\"%s\",\"evidence\":%s,\"manifest\":%s,\"sha256\":%s%s%s,\"steps\":[%s],\"stop_us\":%lld,\"total_us\":%lld}",
              id, evidence[0] ? evidence_json : "null", manifest[0] ? manifest_json : "null", sha256[0] ? "\"" : "",
              sha256[0] ? sha256 : "null", sha256[0] ? "\"" : "", steps_json,
              (long long)stop_us, (long long)total_us);
}
