/* gradebox-launch: shared types of the sandbox launcher (supervisor + sandbox init + program). */
#ifndef GRADEBOX_LAUNCHER_H
#define GRADEBOX_LAUNCHER_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_MOUNTS 64
#define MAX_ENV 256
#define MAX_ARGS 1024
#define MAX_CONTROL_BYTES (1 << 20)
#define SANDBOX_UID 1000           /* the program's uid and gid inside the sandbox */
#define UID_RANGE 65536            /* host ids given to one sandbox */
#define UID_BASE 0x40000000u       /* first host id of slot 0: far above any real account */
#define MAX_SLOTS 256
#define MAX_BOX_SOURCES 16         /* --box-from folders laid into /box, in order */

/* Limits of one run; 0 means "not set" unless noted. */
struct limits {
  int64_t cpu_ms;
  int64_t wall_ms;
  int64_t memory_bytes;
  int64_t pids;
  int64_t output_bytes;    /* per stream (stdout, stderr) */
  int64_t fsize_bytes;
  int64_t open_files;
  int64_t stack_bytes;
  const char *cpuset;      /* e.g. "1" or "0-1"; NULL: no pin */
};

struct ro_bind {
  const char *src;         /* host path */
  const char *dst;         /* path inside the sandbox root */
};

struct config {
  /* Set once, from argv: the shape of the sandbox. */
  int status_fd;           /* JSON lines out */
  int control_fd;          /* the supervisor's channel: the RUN frame comes in on it; -1: from argv */
  const char *state_dir;   /* root-only directory for slot locks and mount points */
  const char *cgroup_name; /* directory under each hierarchy holding our cgroups */
  const char *root_lower;  /* read-only skeleton that is the overlay root's lower layer */
  struct ro_bind binds[MAX_MOUNTS];
  int nbinds;
  int64_t scratch_bytes;   /* size of the tmpfs holding every writable place */
  const char *hostname;
  const char *evidence_dir; /* where incident evidence is archived; NULL: no snapshot */
  int64_t evidence_max_bytes, evidence_max_entries, evidence_max_file_bytes;
  bool sweep_only;         /* --sweep: remove leftovers of crashed runs, then exit */
  bool background;         /* --background: build at idle CPU priority until the run is wanted */
  const char *cpus;        /* --cpus: the slot's CPUs, where the sandbox is built, run and torn down; NULL: anywhere */

  /* Set per run, from the control message (or argv). */
  struct limits limits;
  const char *box_from[MAX_BOX_SOURCES]; /* host directories laid into /box in order, a later one's entries winning */
  int nbox_from;
  const char *box_out;     /* empty host directory that receives /box after the run (build artifacts) */
  const char *stdin_path;  /* host file given as stdin; NULL: /dev/null */
  const char *cwd;
  const char *seccomp_path; /* BPF program (struct sock_filter[]) installed last, with a listener */
  char *env[MAX_ENV + 1];
  int nenv;
  char **argv;
};

/* options.c */
enum option_phase { PHASE_SHAPE = 1, PHASE_RUN = 2 };
void parse_options(struct config *cfg, int argc, char **argv, int phases);
void config_defaults(struct config *cfg);

/* util.c: helpers that depend on nothing else of the launcher */
/* "0-1,3" (cpuset.cpus and taskset's form) into a set; false when it is not such a list. */
bool parse_cpu_list(const char *text, cpu_set_t *set);
void json_string(char *out, size_t size, const char *in);
int write_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int read_file(const char *path, char *buf, size_t size);
int64_t monotonic_us(void);
ssize_t read_full(int fd, void *buf, size_t len);
ssize_t write_full(int fd, const void *buf, size_t len);

/* protocol.c: status lines, frames, sandbox messages, and dying with a reason */
extern int status_fd;
/* In server mode every status line and output chunk goes to status_fd as a frame tagged with
 * frame_id (frames of at most PIPE_BUF bytes, so the writes of concurrent supervisors never
 * interleave); -1: standalone, status lines as plain text, output to our own fds 1 and 2. */
extern int64_t frame_id;
enum frame_kind { FRAME_STDOUT = 1, FRAME_STDERR = 2, FRAME_STATUS = 3 };
struct frame_header {
  uint32_t id;
  uint32_t kind;
  uint32_t length;
};
#define FRAME_MAX 4096
/* Reads one frame {header, payload} (blocking): 1, or 0 at EOF, or -1 when the read failed or the
 * frame is cut or longer than MAX_CONTROL_BYTES (a peer that died with data unread resets a
 * socket). The payload is malloc'd and NUL-terminated. Used on the server's stdin and on the
 * channels between the server and its supervisors. */
int read_frame(int fd, struct frame_header *header, char **payload);
/* read_frame that also keeps up to max descriptors passed with the frame (SCM_RIGHTS); fds[i] is
 * -1 where none came. */
int read_frame_fds(int fd, struct frame_header *header, char **payload, int *fds, int max);
int emit_output(int stream, const char *buf, size_t len);
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Dies because of the caller's input, not a fault of ours; code says which (e.g. box_too_large). */
void die_input(const char *code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
extern void (*die_hook)(const char *message);
void emit_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A frame {id, kind, length} + payload on a channel; false when the other end is gone. */
bool send_frame(int fd, uint32_t id, uint32_t kind, const char *payload, uint32_t length);
/* An empty frame carrying two descriptors (SCM_RIGHTS), such as REQ_STDIO. */
bool send_frame_fds(int fd, uint32_t id, uint32_t kind, int first, int second);
/* mkdir that accepts an existing directory; -1 with errno otherwise. */
int ensure_dir(const char *path, mode_t mode);

/* slot.c: one host uid/gid range per concurrent sandbox */
/* The slot this process holds, taken at the first call and kept until it exits. */
int acquire_slot(const char *state_dir);
/* The descriptor holding that slot's lock; -1 before the first acquire_slot. */
int held_slot_fd(void);
bool try_slot(const char *state_dir, int slot, int *lock_fd);

/* cgroup.c: one interface over cgroup v1 and v2 */
struct cgroup_stats {
  int64_t cpu_us;
  int64_t memory_peak_bytes;
  int64_t oom_kills;
  int64_t memory_limit_hits;
};
void cgroup_init(void);
const char *cgroup_version(void);
void cgroup_sweep(const char *group, int slot);
/* The slot's cgroups; `cpus` (NULL: every CPU) is their cpuset from the start, so the sandbox's
 * processes are built where they will run. */
void cgroup_create(const char *group, int slot, const char *cpus);
void cgroup_apply_limits(const struct limits *limits);
/* clone(2) of the sandbox's init into new namespaces, born in its cgroup where the kernel can. */
pid_t cgroup_clone(int flags);
/* The calling process moves into the sandbox's cgroups (nothing if it was born there). */
void cgroup_join_self(void);
int cgroup_read_cpu_us(int64_t *cpu_us);
/* Forget the memory peak of the sandbox's setup, where the kernel allows it (v1). */
void cgroup_reset_peak(void);
void cgroup_read_stats(struct cgroup_stats *stats);
/* The file listing every process of the sandbox's cgroup. */
void cgroup_procs_path(char *out, size_t size);
/* SIGKILL to every process of the cgroup; `stopped`: none can fork, one round is enough. */
void cgroup_kill_all(bool stopped);
void cgroup_destroy(void);
/* At the end of a process that served sandboxes: removes the cgroups it kept for the next one. */
void cgroup_release(void);
/* Every process of the sandbox back at SCHED_OTHER (a --background sandbox is built at SCHED_IDLE). */
void cgroup_to_foreground(void);

/* rootfs.c: mounts, run in the sandbox's mount namespace as host root */
void setup_rootfs(const struct config *cfg, int sync_fd);
/* Inodes of a scratch tmpfs of this size: what it can hold in entries. */
int64_t scratch_inodes(int64_t scratch_bytes);
void bring_up_loopback(void);

/* netns.c: the sandbox's network namespace, reused while no sandbox changed anything in it */
/* The namespace for the next sandbox (made now if there is none); the descriptor stays ours. */
int sandbox_netns(void);
/* After a sandbox whose processes are all gone: keeps the namespace only if it reads as new. */
void sandbox_netns_release(void);
/* Our descriptors that must survive from one sandbox to the next (-1 where none): two of them. */
void sandbox_netns_fds(int fds[2]);

/* copy-tree.c */
struct export_caps {
  int64_t max_bytes;       /* file data in all (holes are free) */
  int64_t max_entries;     /* files, folders, links, everything listed */
};
struct export_stats {
  int64_t bytes, entries;
  int64_t links_dropped;   /* symlinks left out: the host never gets one */
};
/* Lays a host folder into /box (owned by uid/gid), over what earlier sources put there. */
void copy_into_box(int src_dirfd, int box_dirfd, uid_t uid, gid_t gid);
/* Copies /box into an empty host folder: no links, holes kept, within caps (else die_input). */
void export_box_tree(int box_dirfd, int dst_dirfd, const struct export_caps *caps, struct export_stats *stats);

/* child.c: the sandbox's init (PID 1) and the program it starts */
/* The kernel's last capability number (it may know more than our headers): read once per process,
 * before the first clone, so that each sandbox's init inherits the value instead of reading it. */
int last_capability(void);
int child_main(struct config *cfg, int net_fd, int sync_fd, int out_fd, int err_fd, uint32_t uid_base);

/* launch.c: one sandbox from a parsed shape, through its run, to its report. Returns 0, or
 * LAUNCH_RETIRE when its supervisor should not serve another sandbox (an incident, a cancel). */
#define LAUNCH_RETIRE 75
int launch(struct config *cfg);

/* server.c: `--serve`, many sandboxes for one long-lived caller */
/* REQ_RAISE: the caller waits for this --background sandbox now; build it at normal priority. */
/* REQ_LINK: payload = the decimal id of a second prepared sandbox; the program of the first reads
 * what the second's writes and the other way round (two pipes instead of stdin and stdout), for
 * interactive problems and harnesses that must not share a sandbox with the submission. The
 * server passes each supervisor its two ends as REQ_STDIO (no payload, two descriptors: the
 * program's stdin, then its stdout) ahead of its RUN frame. */
enum request_verb { REQ_PREPARE = 1, REQ_RUN = 2, REQ_CANCEL = 3, REQ_RAISE = 4, REQ_LINK = 5, REQ_STDIO = 6 };
/* What a supervisor answers on its channel: its sandbox is torn down, it can take the next. */
enum supervisor_note { NOTE_DONE = 1 };
/* How the server passes REQ_RAISE on to the supervisor (blocked, read from its signalfd). */
#define SIGRAISE SIGUSR1
int serve(const struct config *defaults);

/* supervise.c */
/* A signalfd for what a supervisor acts on (blocked since the server started): SIGTERM, SIGINT,
 * SIGHUP (stop) and SIGRAISE. */
int supervisor_signals(void);
int supervise(struct config *cfg, pid_t child, int sync_fd, int out_fd, int err_fd, uint32_t uid_base);

/* The messages between supervisor and sandbox over the sync socket. */
enum msg_type {
  MSG_READY = 1,        /* init -> sup: built; passes the program's channel (SCM_RIGHTS) */
  MSG_RUN,              /* sup -> program: payload = run options (NUL-separated) */
  MSG_NEED_MAPS,        /* init -> sup: unshared its user namespace */
  MSG_MAPS_DONE,        /* sup -> init */
  MSG_STDIN,            /* sup -> program: the stdin descriptor (SCM_RIGHTS) */
  MSG_FILTER,           /* sup -> program: payload = the seccomp program, struct sock_filter[] */
  MSG_EXEC_FAILED,      /* program -> sup: value = errno */
  MSG_EXITED,           /* child -> sup: value = program wait status */
  MSG_ERROR,            /* child -> sup: payload = message; setup failed */
  MSG_LISTENER,         /* program -> sup: the seccomp listener fd (SCM_RIGHTS); value 1: it waits killable */
  MSG_SCRATCH,          /* child -> sup: an fd of the scratch tmpfs root (SCM_RIGHTS), for evidence */
  MSG_STDOUT,           /* sup -> program: a stdout descriptor that replaces the captured pipe (SCM_RIGHTS) */
};

struct msg_header {
  uint32_t type;
  int32_t value;
  uint32_t length;
};

/* Splits NUL-terminated words into words[] (NULL-terminated; the payload keeps ownership); more
 * than max - 1 words is an error, never a silent cut. */
int split_words(char *payload, uint32_t length, char **words, int max);

void send_msg(int fd, enum msg_type type, int32_t value, const void *payload, uint32_t length);
/* A message whose only content is a file descriptor, passed with SCM_RIGHTS. */
void send_fd(int sock, enum msg_type type, int fd);
/* The same, with a value in the header (MSG_LISTENER: whether the filter waits killable). */
void send_fd_value(int sock, enum msg_type type, int fd, int32_t value);
/* Returns 0 at end of stream; *payload is malloc'd (NUL-terminated) when length > 0; a passed
 * descriptor lands in *passed_fd (else -1). */
int recv_msg(int fd, struct msg_header *header, char **payload, int *passed_fd);

#endif
