/* gradebox-spawn-loop: the benchmark's minimal loop for the peers gradebox is compared with (a bare
 * program, bubblewrap). Spawning from Node costs a few milliseconds of its own per child, which
 * would flatter whatever is compared with it; this loop costs a posix_spawn and a wait.
 *
 *   gradebox-spawn-loop RUNS PARALLEL -- COMMAND [ARGS...]
 *
 * Runs COMMAND RUNS times, PARALLEL at a time, with standard input, output and error on /dev/null
 * and this process's environment, and prints one JSON line: {"runs":N,"parallel":P,"wall_us":W,
 * "cpu_us":C}, C being the CPU time of every run (user and system, their descendants included).
 * Exit 1 (with a message on stderr) when a run fails: a number that hides failures means nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long positive(const char *text, const char *what) {
  char *end;
  long value = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < 1 || value > 10000000) {
    fprintf(stderr, "gradebox-spawn-loop: %s must be a whole number from 1 to 10000000, not \"%s\"\n", what, text);
    exit(2);
  }
  return value;
}

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* One run started; posix_spawnp (vfork and exec in glibc) copies no address space. */
static void start(const posix_spawn_file_actions_t *actions, char **argv) {
  pid_t pid;
  int error = posix_spawnp(&pid, argv[0], actions, NULL, argv, environ);
  if (error) {
    fprintf(stderr, "gradebox-spawn-loop: cannot start %s: %s\n", argv[0], strerror(error));
    exit(1);
  }
}

/* Waits for one run; a run that did not exit 0 ends the loop. */
static void finish_one(const char *command) {
  int status;
  pid_t pid;
  while ((pid = wait(&status)) < 0 && errno == EINTR) {}
  if (pid < 0) {
    perror("gradebox-spawn-loop: wait");
    exit(1);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "gradebox-spawn-loop: %s failed (wait status 0x%x)\n", command, status);
    exit(1);
  }
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: gradebox-spawn-loop RUNS PARALLEL -- COMMAND [ARGS...]\n");
    return 2;
  }
  long runs = positive(argv[1], "RUNS"), parallel = positive(argv[2], "PARALLEL");
  char **command = argv + 4;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);

  long long began = now_us();
  long started = 0, finished = 0;
  while (started < runs && started < parallel) start(&actions, command), started++;
  while (finished < runs) {
    finish_one(command[0]);
    finished++;
    if (started < runs) start(&actions, command), started++;
  }
  long long wall_us = now_us() - began;
  struct rusage usage;
  getrusage(RUSAGE_CHILDREN, &usage);
  long long cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  printf("{\"runs\":%ld,\"parallel\":%ld,\"wall_us\":%lld,\"cpu_us\":%lld}\n", runs, parallel, wall_us, cpu_us);
  return 0;
}
