/* Kernel audit records from the audit netlink multicast group: what auditd would see, without auditd. */
#ifndef GRADEBOX_SECCOMP_AUDIT_READER_H
#define GRADEBOX_SECCOMP_AUDIT_READER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens a non-blocking, close-on-exec NETLINK_AUDIT socket joined to AUDIT_NLGRP_READLOG
 * (needs CAP_AUDIT_READ in the initial user namespace). Returns the fd, or -1 with errno
 * set and *failed_call naming the call that failed. */
int gb_audit_open(const char **failed_call);

/* Receives one record sent by the kernel. */
typedef void (*gb_audit_sink)(void *context, int type, const char *text, size_t length);

/* Receives one pending datagram without blocking and passes each audit record in it to sink
 * (text without trailing NULs; not NUL-terminated). Returns 1 when a datagram was read, 0 when
 * none is pending, -1 with errno set on failure. ENOBUFS means the receive buffer overflowed and
 * records were lost; the socket stays usable. Datagrams not sent by the kernel are skipped. */
int gb_audit_read(int fd, gb_audit_sink sink, void *context);

#ifdef __cplusplus
}
#endif

#endif
