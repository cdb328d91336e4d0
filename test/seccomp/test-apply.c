/*
 * Test helper: installs an exported BPF program in a forked child and makes one
 * syscall there (or execs a program), so tests observe what the kernel does.
 *
 *   test-apply [--listen] [--timeout-ms N] FILTER.bpf call x64|x32|ia32 NR [ARG...]
 *   test-apply [--listen] [--timeout-ms N] FILTER.bpf exec PROGRAM [ARG...]
 *
 * The child prints {"ret":R,"errno":E} on stdout after a call. With --listen
 * the filter is installed with a notification listener that the parent takes
 * over (pidfd_getfd); each notified call is printed on stderr as
 * {"notify":{"nr":N,"arch":A}} and answered with ENOSYS, never let through.
 * The parent finally prints {"exit":CODE,"signal":SIG} on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000L

static void die(const char *what)
{
	fprintf(stderr, "test-apply: %s: %s\n", what, strerror(errno));
	exit(125);
}

static struct sock_fprog read_filter(const char *path)
{
	struct sock_fprog prog = { 0 };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0) {
		fprintf(stderr, "test-apply: %s is not a BPF program\n", path);
		exit(125);
	}
	prog.filter = malloc((size_t)st.st_size);
	if (prog.filter == NULL || read(fd, prog.filter, (size_t)st.st_size) != st.st_size)
		die("read filter");
	prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	close(fd);
	return prog;
}

/* Only the raw syscall: libc wrappers would make calls of their own. */
static long call_ia32(long nr, const long *a)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
			 : "memory");
	return ret;
}

static void make_call(const char *abi, long nr, const long *a)
{
	char line[96];
	long ret;
	int err = 0;

	if (strcmp(abi, "ia32") == 0) {
		ret = call_ia32(nr, a);
		if (ret < 0 && ret > -4096) {
			err = (int)-ret;
			ret = -1;
		}
	} else {
		if (strcmp(abi, "x32") == 0)
			nr |= X32_SYSCALL_BIT;
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		err = ret < 0 ? errno : 0;
	}
	int n = snprintf(line, sizeof(line), "{\"ret\":%ld,\"errno\":%d}\n", ret, err);
	if (write(1, line, (size_t)n) < 0)
		_exit(124);
	_exit(0);
}

/* Child: install the filter (last), tell the parent the listener's number, then act. */
static void child(struct sock_fprog *prog, int listen, int report_fd, int go_fd, char **what)
{
	unsigned int flags = listen ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	int listener;
	char go;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	if (listener < 0)
		listener = -errno;
	/* write/read/exit are allowed by every policy under test. */
	if (write(report_fd, &listener, sizeof(listener)) != sizeof(listener) || listener < 0)
		_exit(125);
	if (read(go_fd, &go, 1) != 1)
		_exit(125);
	if (strcmp(what[0], "exec") == 0) {
		execvp(what[1], &what[1]);
		_exit(127);
	}
	long args[6] = { 0 };
	for (int i = 0; i < 6 && what[3 + i] != NULL; i++)
		args[i] = (long)strtoull(what[3 + i], NULL, 0);
	make_call(what[1], strtol(what[2], NULL, 0), args);
}

/* Parent: answer every notification with ENOSYS so a forbidden call never proceeds. */
static void answer(int listener)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* the caller died meanwhile */
	fprintf(stderr, "{\"notify\":{\"nr\":%d,\"arch\":%u}}\n", req.data.nr, req.data.arch);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -ENOSYS;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int supervise(pid_t pid, int listener, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "test-apply: timeout, killing the child\n");
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		struct pollfd pfd = { .fd = listener, .events = POLLIN };
		if (listener >= 0 && poll(&pfd, 1, 20) > 0 && (pfd.revents & POLLIN))
			answer(listener);
		else if (listener < 0)
			usleep(5000);
	}
	fprintf(stderr, "{\"exit\":%d,\"signal\":%d}\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int listen = 0, report[2], go[2], remote = -1, listener = -1;
	long timeout_ms = 10000;
	int i = 1;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--listen") == 0)
			listen = 1;
		else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
			timeout_ms = strtol(argv[++i], NULL, 10);
	}
	int call = i + 1 < argc && strcmp(argv[i + 1], "call") == 0;
	int exec = i + 1 < argc && strcmp(argv[i + 1], "exec") == 0;
	if (!(call && argc - i >= 4) && !(exec && argc - i >= 3)) {
		fprintf(stderr, "usage: test-apply [--listen] [--timeout-ms N] FILTER.bpf call x64|x32|ia32 NR [ARG...]\n"
				"       test-apply [--listen] [--timeout-ms N] FILTER.bpf exec PROGRAM [ARG...]\n");
		return 125;
	}
	struct sock_fprog prog = read_filter(argv[i]);
	if (pipe2(report, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		die("pipe2");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(&prog, listen, report[1], go[0], &argv[i + 1]);
	if (read(report[0], &remote, sizeof(remote)) != sizeof(remote) || remote < 0) {
		fprintf(stderr, "test-apply: installing the filter failed: %s\n", strerror(-remote));
		kill(pid, SIGKILL);
		return 125;
	}
	if (listen) {
		/* The listener is close-on-exec in the child: take our own copy before it execs. */
		int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, remote, 0);
		if (listener < 0)
			die("pidfd_getfd of the listener");
	}
	if (write(go[1], "g", 1) != 1)
		die("write go");
	return supervise(pid, listener, timeout_ms);
}
