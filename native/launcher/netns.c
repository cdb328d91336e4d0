/* The sandbox's network namespace: loopback only, kept by its supervisor from one sandbox to the
 * next for as long as no sandbox changed anything in it. Making one costs more CPU than the rest
 * of a short sandbox's namespaces together (loopback registration and per-namespace sysctl tables,
 * then a teardown in the kernel's cleanup worker, under the global rtnl lock), and a program that
 * never touches the network leaves nothing behind in it.
 *
 * The namespace belongs to the host's user namespace (we make it as host root, before the sandbox
 * enters its own), so nothing inside can configure it (no CAP_NET_ADMIN there): what a program can
 * change is only what its sockets do. After each sandbox, once every one of its processes is gone,
 * the namespace's socket counts (sockstat, sockstat6: every socket of any family, TCP connections
 * in TIME_WAIT, fragments), its own counters (IP, TCP, UDP, ICMP, IPv6: snmp, snmp6, netstat), its
 * IPv6 route counts (rt6_stats) and flow labels (ip6_flowlabel) must read exactly as when it was
 * made: a packet sent, a socket left in TIME_WAIT or held in flight, a route looked up, a flow label
 * left to linger, anything, and the namespace is dropped and the next sandbox gets a new one. The
 * comparison fails closed: a file that cannot be read drops the namespace too. What the files do
 * not show is set when the namespace is made so that no program can change it: multicast reports
 * are sent at once or never (report_multicast_at_once), and the mark a request for an exclusive
 * flow label leaves is there from the start (mark_flow_labels_exclusive). */
#include "launcher.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STATE_BYTES 65536

static int net_fd = -1, host_fd = -1;
static char *baseline;
static size_t baseline_length;

/* What is read of the namespace we are in, in this order: first its sockets, by family and state
 * ("sockets: used" counts every socket, unix ones too, even one only held in flight; "tw" the TCP
 * connections in TIME_WAIT; cheap to read, unlike the socket tables: /proc/net/tcp walks the whole
 * host's hash tables). Once none is left (no process is left to make one), nothing can change what
 * is read after them; read the other way round, a socket still held in flight could send (a
 * membership report from its timer) after the counters were read and be freed by the unix garbage
 * collector before its count was. Then its counters, whole: any traffic changes them. Then its IPv6
 * routes' counts (rt6_stats): a route lookup with no traffic (connect() on a datagram socket)
 * leaves a per-CPU copy of the route there for good. And its IPv6 flow labels, whole (the header
 * alone when there is none): a label outlives its socket by its linger time (up to 150 s without
 * CAP_NET_ADMIN) and holds no socket, sends nothing, counts nowhere else, yet the next program lists
 * it, value and destination chosen by its predecessor (the table is a small hash of the whole
 * host's labels, cheap to walk). */
static const struct state_file {
  const char *path;
  bool ipv6;       /* read only where the host has IPv6 */
  bool sockstat;   /* its host-wide fields left out */
} state_files[] = {
    {"/proc/self/net/sockstat", false, true},      {"/proc/self/net/sockstat6", true, true},
    {"/proc/self/net/snmp", false, false},         {"/proc/self/net/netstat", false, false},
    {"/proc/self/net/snmp6", true, false},         {"/proc/self/net/rt6_stats", true, false},
    {"/proc/self/net/ip6_flowlabel", true, false},
};
/* Whether the host has IPv6 (a kernel booted with ipv6.disable=1 has none, and no IPv6 state can
 * be left in its namespaces): its files are read, and its settings made, only where it has. */
static bool ipv6;
/* sockstat fields that count the whole host, not this namespace: left out of the comparison. */
static const char *const host_wide[] = {"orphan", "alloc", "mem"};

static bool is_host_wide(const char *word, size_t length) {
  for (size_t i = 0; i < sizeof host_wide / sizeof *host_wide; i++)
    if (strlen(host_wide[i]) == length && memcmp(word, host_wide[i], length) == 0) return true;
  return false;
}

/* Appends `text` to buf, each host-wide field's value left out; the new length, or -1 if full. */
static ssize_t append_namespace_fields(char *buf, size_t used, size_t size, const char *text) {
  bool skip_value = false;
  for (const char *p = text; *p;) {
    size_t gap = strspn(p, " \n"), length = strcspn(p + gap, " \n");
    const char *word = p + gap;
    bool keep = !skip_value;
    skip_value = is_host_wide(word, length);
    size_t n = keep ? gap + length : gap;
    if (used + n >= size) return -1;
    memcpy(buf + used, p, n);
    used += n;
    p = word + length;
  }
  return (ssize_t)used;
}

/* The state of the namespace we are in, into buf; -1 when it cannot be read whole. */
static ssize_t read_state(char *buf, size_t size) {
  size_t used = 0;
  char text[4096];
  for (size_t i = 0; i < sizeof state_files / sizeof *state_files; i++) {
    const struct state_file *file = &state_files[i];
    if (file->ipv6 && !ipv6) continue;
    if (!file->sockstat) {
      int n = read_file(file->path, buf + used, size - used);
      if (n < 0 || (size_t)n >= size - used - 1) return -1;
      used += (size_t)n;
      continue;
    }
    int n = read_file(file->path, text, sizeof text);
    if (n < 0 || (size_t)n >= sizeof text - 1) return -1;
    ssize_t now = append_namespace_fields(buf, used, size, text);
    if (now < 0) return -1;
    used = (size_t)now;
  }
  return (ssize_t)used;
}

/* Enters `fd`'s network namespace, reads its state and comes back. */
static ssize_t state_of(int fd, char *buf, size_t size) {
  if (setns(fd, CLONE_NEWNET) < 0) die_errno("enter the sandbox's network namespace");
  ssize_t n = read_state(buf, size);
  if (setns(host_fd, CLONE_NEWNET) < 0) die_errno("return to the host's network namespace");
  return n;
}

static void drop(void) {
  if (net_fd >= 0) close(net_fd);
  net_fd = -1;
}

/* In the new namespace, before its baseline: multicast membership reports go out at once or never,
 * not from a timer after the last process is gone. IGMPv3 and MLDv2 (the defaults) report a join a
 * few milliseconds later, and a leave (the socket closed at exit) again for a second or two, from
 * the device's own timers: a program that joins groups and exits at once leaves reports on their
 * way that the check cannot see, and that then move the next sandbox's counters while it runs.
 * MLDv1 reports a join and a leave as they happen; IGMPv2 reports a join from the group's timer,
 * stopped when the group is left before it fired, and a leave as it happens. Nothing inside can
 * change these back (no CAP_NET_ADMIN here), nor send a query that would. */
static void report_multicast_at_once(void) {
  if (write_file("/proc/sys/net/ipv4/conf/all/force_igmp_version", "2") < 0) die_errno("force IGMPv2");
  if (ipv6 && write_file("/proc/sys/net/ipv6/conf/all/force_mld_version", "1") < 0) die_errno("force MLDv1");
}

/* In the new namespace, before its baseline: marked as one where exclusive IPv6 flow labels were
 * asked for. A request for an exclusive label (share IPV6_FL_S_EXCL, _PROCESS or _USER) sets that
 * mark for the namespace's life, even when it fails and no label is made, and from then on, while
 * the host has any exclusive label (or for a second after one went), a datagram sent with a label
 * its socket does not hold is refused there: one bit that nothing counts or lists, left for the
 * next sandbox. Set from the start, it says nothing of what ran before. The request below fails
 * (there is no label to get) and leaves nothing but the mark. (Linux's struct in6_flowlabel_req:
 * <linux/in6.h> does not mix with <netinet/in.h>.) */
static void mark_flow_labels_exclusive(void) {
  struct {
    struct in6_addr dst;
    uint32_t label;
    uint8_t action, share;
    uint16_t flags, expires, linger;
    uint32_t pad;
  } request = {.dst = IN6ADDR_LOOPBACK_INIT, .label = htonl(1), .action = 0 /* IPV6_FL_A_GET */,
               .share = 1 /* IPV6_FL_S_EXCL */};
  _Static_assert(sizeof request == 32, "struct in6_flowlabel_req");
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die_errno("socket for the flow label mark");
  if (setsockopt(fd, IPPROTO_IPV6, 32 /* IPV6_FLOWLABEL_MGR */, &request, sizeof request) == 0)
    die("a flow label in a new network namespace");
  if (errno != ENOENT) die_errno("mark the network namespace's flow labels exclusive");
  close(fd);
}

void sandbox_netns_fds(int fds[2]) {
  fds[0] = net_fd;
  fds[1] = host_fd;
}

int sandbox_netns(void) {
  if (net_fd >= 0) return net_fd;
  if (host_fd < 0 && (host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) die_errno("open our network namespace");
  if (!baseline && !(baseline = malloc(STATE_BYTES))) die("out of memory");
  if (unshare(CLONE_NEWNET) < 0) die_errno("unshare a network namespace");
  bring_up_loopback();
  ipv6 = access("/proc/sys/net/ipv6", F_OK) == 0;
  report_multicast_at_once();
  if (ipv6) mark_flow_labels_exclusive();
  net_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (net_fd < 0) die_errno("open the sandbox's network namespace");
  ssize_t n = read_state(baseline, STATE_BYTES);
  if (setns(host_fd, CLONE_NEWNET) < 0) die_errno("return to the host's network namespace");
  if (n < 0) die("cannot read the state of a new network namespace");
  baseline_length = (size_t)n;
  return net_fd;
}

void sandbox_netns_release(void) {
  if (net_fd < 0) return;
  static char *now;
  if (!now && !(now = malloc(STATE_BYTES))) die("out of memory");
  ssize_t n = state_of(net_fd, now, STATE_BYTES);
  if (n < 0 || (size_t)n != baseline_length || memcmp(now, baseline, baseline_length) != 0) drop();
}
