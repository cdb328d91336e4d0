/* Reads kernel audit records (e.g. AUDIT_SECCOMP) from the audit netlink multicast group. */
#define _GNU_SOURCE
#include "audit-reader.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Records arrive in bursts when a sandbox misbehaves; a larger buffer loses fewer of them. */
#define RECEIVE_BUFFER_BYTES (1 << 20)
/* MAX_AUDIT_MESSAGE_LENGTH (8970) plus the netlink header, rounded up. */
#define DATAGRAM_BYTES 16384

int gb_audit_open(const char **failed_call)
{
	struct sockaddr_nl address = { .nl_family = AF_NETLINK, .nl_groups = AUDIT_NLGRP_READLOG };
	int size = RECEIVE_BUFFER_BYTES;
	int saved;
	/* CLOEXEC: the socket must never leak into the launcher or a sandbox. */
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);

	if (fd < 0) {
		*failed_call = "socket(AF_NETLINK, NETLINK_AUDIT)";
		return -1;
	}
	/* Best effort: FORCE passes rmem_max for a privileged caller; the default still works. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* audit_multicast_bind() refuses without CAP_AUDIT_READ (EPERM). */
	if (bind(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		*failed_call = "bind(NETLINK_AUDIT, AUDIT_NLGRP_READLOG)";
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static void emit(const struct nlmsghdr *message, gb_audit_sink sink, void *context)
{
	const char *text = NLMSG_DATA(message);
	size_t length = message->nlmsg_len - NLMSG_HDRLEN;

	while (length > 0 && text[length - 1] == '\0')
		length--;
	sink(context, message->nlmsg_type, text, length);
}

int gb_audit_read(int fd, gb_audit_sink sink, void *context)
{
	unsigned char buffer[DATAGRAM_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sender;
	socklen_t sender_length = sizeof(sender);
	ssize_t received;
	int remaining;

	do {
		received = recvfrom(fd, buffer, sizeof(buffer), MSG_DONTWAIT, (struct sockaddr *)&sender,
				    &sender_length);
	} while (received < 0 && errno == EINTR);
	if (received < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	/* Only the kernel (port 0) speaks for the audit subsystem. */
	if (sender_length != sizeof(sender) || sender.nl_family != AF_NETLINK || sender.nl_pid != 0)
		return 1;
	remaining = (int)received;
	for (struct nlmsghdr *message = (struct nlmsghdr *)buffer; NLMSG_OK(message, remaining);
	     message = NLMSG_NEXT(message, remaining)) {
		if (message->nlmsg_type == NLMSG_DONE || message->nlmsg_type == NLMSG_ERROR)
			continue;
		emit(message, sink, context);
	}
	return 1;
}
