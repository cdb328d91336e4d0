/* The libseccomp side of gradebox: a normalized rule list in, a classic BPF program out. */
#ifndef GRADEBOX_SECCOMP_FILTER_H
#define GRADEBOX_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum gb_action_kind {
	GB_ACTION_ALLOW,
	GB_ACTION_NOTIFY,       /* user notification: the supervisor's violation path */
	GB_ACTION_ERRNO,
	GB_ACTION_KILL_PROCESS, /* for tests that observe a filter without a listener */
};

struct gb_action {
	enum gb_action_kind kind;
	int errno_value; /* only for GB_ACTION_ERRNO */
};

enum gb_compare {
	GB_CMP_EQ,
	GB_CMP_NE,
	GB_CMP_LT,
	GB_CMP_LE,
	GB_CMP_GT,
	GB_CMP_GE,
	GB_CMP_MASKED_EQ,
};

struct gb_condition {
	unsigned int arg; /* 0..5 */
	enum gb_compare op;
	uint64_t value;
	uint64_t mask;    /* only for GB_CMP_MASKED_EQ */
	bool width32;     /* the kernel reads this argument as a 32-bit int */
};

struct gb_rule {
	const char *syscall;
	struct gb_action action;
	const struct gb_condition *conditions;
	size_t condition_count;
};

struct gb_filter_spec {
	struct gb_action default_action;
	struct gb_action bad_arch_action; /* wrong arch: int 0x80 (i386) or x32 */
	const struct gb_rule *rules;
	size_t rule_count;
};

enum gb_error_code {
	GB_OK = 0,
	GB_E_UNKNOWN_SYSCALL,  /* a name libseccomp does not know for x86_64 */
	GB_E_BAD_CONDITION,    /* a comparison libseccomp cannot express faithfully */
	GB_E_BAD_ACTION,
	GB_E_LIBSECCOMP,       /* libseccomp refused or failed */
	GB_E_SYSTEM,           /* memfd, read, malloc */
};

struct gb_error {
	enum gb_error_code code;
	char message[256];
};

/* Builds the filter and exports it. On success *bpf is malloc'd (free it) and
 * *bpf_len is a multiple of 8 (struct sock_filter). */
int gb_filter_compile(const struct gb_filter_spec *spec, uint8_t **bpf, size_t *bpf_len,
		      struct gb_error *error);

/* The x86_64 number of a syscall name, or -1 when x86_64 has no such syscall. */
int gb_syscall_number(const char *name);

/* The x86_64 name of a syscall number, malloc'd (free it), or NULL when unknown. */
char *gb_syscall_name(int nr);

#ifdef __cplusplus
}
#endif

#endif
