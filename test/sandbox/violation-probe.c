/* Calls one forbidden syscall, named on the command line, and prints what came back.
 * Under a gradebox policy it must never succeed: either the sandbox is killed (a violation)
 * or the call is refused with an errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static long int80_getpid(void) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");
  return ret;
}

static long call(const char *name) {
  static char buf[4096];
  struct timeval tv = {0, 0};
  char c = 'x';
  if (!strcmp(name, "ptrace")) return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
  if (!strcmp(name, "mount")) return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
  if (!strcmp(name, "umount2")) return syscall(SYS_umount2, "/tmp", 0);
  if (!strcmp(name, "unshare")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(name, "setns")) return syscall(SYS_setns, 0, 0);
  if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (!strcmp(name, "add_key")) return syscall(SYS_add_key, "user", "gradebox", "x", 1, KEY_SPEC_PROCESS_KEYRING);
  if (!strcmp(name, "bpf")) return syscall(SYS_bpf, 0, buf, 64);
  if (!strcmp(name, "perf_event_open")) return syscall(SYS_perf_event_open, buf, 0, -1, -1, 0);
  if (!strcmp(name, "userfaultfd")) return syscall(SYS_userfaultfd, 0);
  if (!strcmp(name, "io_uring_setup")) return syscall(SYS_io_uring_setup, 1, buf);
  if (!strcmp(name, "open_by_handle_at")) return syscall(SYS_open_by_handle_at, -100, buf, 0);
  if (!strcmp(name, "reboot")) return syscall(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, NULL);
  if (!strcmp(name, "init_module")) return syscall(SYS_init_module, buf, 16, "");
  if (!strcmp(name, "finit_module")) return syscall(SYS_finit_module, 0, "", 0);
  if (!strcmp(name, "kexec_load")) return syscall(SYS_kexec_load, 0, 0, NULL, 0);
  if (!strcmp(name, "swapon")) return syscall(SYS_swapon, "/tmp/swap", 0);
  if (!strcmp(name, "pivot_root")) return syscall(SYS_pivot_root, ".", ".");
  if (!strcmp(name, "chroot")) return syscall(SYS_chroot, "/tmp");
  if (!strcmp(name, "acct")) return syscall(SYS_acct, "/tmp/acct");
  if (!strcmp(name, "settimeofday")) return syscall(SYS_settimeofday, &tv, NULL);
  if (!strcmp(name, "personality")) return syscall(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */);
  if (!strcmp(name, "modify_ldt")) return syscall(SYS_modify_ldt, 0, buf, 16);
  if (!strcmp(name, "socket_packet")) return syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
  if (!strcmp(name, "socket_netlink_audit")) return syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */);
  if (!strcmp(name, "clone_newuser")) return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
  if (!strcmp(name, "x32")) return syscall(39 | 0x40000000 /* x32 getpid */);
  if (!strcmp(name, "int80")) return int80_getpid();
  if (!strcmp(name, "tiocsti_high_bits")) return syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, &c);
  if (!strcmp(name, "tiocsti")) return syscall(SYS_ioctl, 0, TIOCSTI, &c);
  fprintf(stderr, "unknown probe %s\n", name);
  exit(2);
}

/* 32 processes make the same forbidden call at the same moment. */
static int swarm(void) {
  int gate[2];
  if (pipe(gate) < 0) return 2;
  for (int i = 0; i < 32; i++) {
    if (fork() == 0) {
      char c;
      close(gate[1]);
      if (read(gate[0], &c, 1) < 0) _exit(3);
      syscall(SYS_ptrace, 0, 0, 0, 0);
      _exit(0);
    }
  }
  close(gate[1]); /* everyone wakes up at once */
  while (wait(NULL) > 0) {}
  puts("swarm survived");
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  if (!strcmp(argv[1], "swarm")) return swarm();
  printf("probe %s\n", argv[1]);
  fflush(stdout);
  long r = call(argv[1]);
  printf("returned %ld errno %d\n", r, r < 0 ? errno : 0);
  return 0;
}
