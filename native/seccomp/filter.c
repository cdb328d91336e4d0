/* Builds a seccomp filter with libseccomp from a normalized rule list and exports its BPF bytes. */
#define _GNU_SOURCE
#include "filter.h"

#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOW32 0xffffffffULL
#define MAX_CONDITIONS 6 /* one per syscall argument */

static const char *compare_names[] = { "eq", "ne", "lt", "le", "gt", "ge", "masked_eq" };

static int fail(struct gb_error *error, enum gb_error_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error->message, sizeof(error->message), fmt, ap);
	va_end(ap);
	error->code = code;
	return -1;
}

static int to_scmp_action(const struct gb_action *action, uint32_t *out, struct gb_error *error)
{
	switch (action->kind) {
	case GB_ACTION_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case GB_ACTION_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	case GB_ACTION_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case GB_ACTION_ERRNO:
		/* SECCOMP_RET_DATA holds 16 bits; errno 0 would fake a success. */
		if (action->errno_value < 1 || action->errno_value > 4095)
			return fail(error, GB_E_BAD_ACTION, "errno %d is out of range 1..4095",
				    action->errno_value);
		*out = SCMP_ACT_ERRNO((uint32_t)action->errno_value);
		return 0;
	}
	return fail(error, GB_E_BAD_ACTION, "unknown action kind %d", (int)action->kind);
}

/*
 * libseccomp 2.5 splits every comparison into a high and a low 32-bit word and
 * compares both (SCMP_A1_32() only casts the datum). For an int argument the
 * kernel ignores the high word, so eq/ne on all 64 bits can be dodged by
 * setting high bits (ioctl(fd, TIOCSTI | 1UL << 32)). A masked compare whose
 * mask has no high bits tests the low word alone, which is exactly what the
 * kernel sees; the other operators have no such form, so they are refused.
 */
static int to_scmp_condition(const char *syscall, const struct gb_condition *c,
			     struct scmp_arg_cmp *out, struct gb_error *error)
{
	uint64_t mask = c->mask;

	if (c->arg > 5)
		return fail(error, GB_E_BAD_CONDITION, "%s: argument index %u is not 0..5",
			    syscall, c->arg);
	if ((unsigned int)c->op > GB_CMP_MASKED_EQ)
		return fail(error, GB_E_BAD_CONDITION, "%s: unknown comparison %d", syscall, (int)c->op);
	if (c->width32) {
		if (c->op == GB_CMP_EQ)
			mask = LOW32;
		else if (c->op != GB_CMP_MASKED_EQ)
			return fail(error, GB_E_BAD_CONDITION,
				    "%s: arg%u is 32-bit; libseccomp 2.5 cannot compare a 32-bit argument with %s, only eq or masked_eq",
				    syscall, c->arg, compare_names[c->op]);
		if (mask > LOW32 || c->value > LOW32)
			return fail(error, GB_E_BAD_CONDITION,
				    "%s: arg%u is 32-bit but the value or mask has bits above bit 31",
				    syscall, c->arg);
	}
	if (c->width32 || c->op == GB_CMP_MASKED_EQ) {
		/* An empty mask always matches; libseccomp would then drop every other rule of the syscall. */
		if (mask == 0)
			return fail(error, GB_E_BAD_CONDITION, "%s: arg%u has an empty mask", syscall, c->arg);
		if (c->value & ~mask)
			return fail(error, GB_E_BAD_CONDITION,
				    "%s: arg%u value has bits outside the mask, so it never matches",
				    syscall, c->arg);
		*out = SCMP_CMP64(c->arg, SCMP_CMP_MASKED_EQ, mask, c->value);
		return 0;
	}
	static const enum scmp_compare ops[] = {
		SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE,
	};
	*out = SCMP_CMP64(c->arg, ops[c->op], c->value);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t default_action, const struct gb_rule *rule,
		    struct gb_error *error)
{
	struct scmp_arg_cmp cmps[MAX_CONDITIONS];
	uint32_t action = 0;
	int nr, rc;

	nr = gb_syscall_number(rule->syscall);
	if (nr < 0)
		return fail(error, GB_E_UNKNOWN_SYSCALL, "unknown x86_64 syscall \"%s\"", rule->syscall);
	if (to_scmp_action(&rule->action, &action, error) < 0)
		return -1;
	if (rule->condition_count > MAX_CONDITIONS)
		return fail(error, GB_E_BAD_CONDITION, "%s: more than %d conditions",
			    rule->syscall, MAX_CONDITIONS);
	for (size_t i = 0; i < rule->condition_count; i++) {
		if (to_scmp_condition(rule->syscall, &rule->conditions[i], &cmps[i], error) < 0)
			return -1;
	}
	/* A rule that repeats the default action changes nothing, and libseccomp refuses it. */
	if (action == default_action)
		return 0;
	/* "exact": fail rather than let libseccomp rewrite the rule. */
	rc = seccomp_rule_add_exact_array(ctx, action, nr, (unsigned int)rule->condition_count, cmps);
	if (rc < 0)
		return fail(error, GB_E_LIBSECCOMP, "%s: libseccomp refused the rule: %s",
			    rule->syscall, strerror(-rc));
	return 0;
}

/*
 * Only native x86_64: seccomp_init() adds the native arch alone, and the
 * filter's arch check then sends int 0x80 (i386) calls and x32 numbers
 * (nr | 0x40000000) to the bad-arch action. Removing the other two is a
 * guard against a libseccomp that adds them by default.
 */
static int setup_arch(scmp_filter_ctx ctx, uint32_t bad_arch_action, struct gb_error *error)
{
	static const uint32_t foreign[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	int rc;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return fail(error, GB_E_LIBSECCOMP, "this libseccomp is not built for x86_64");
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		if (seccomp_arch_exist(ctx, foreign[i]) == 0 && seccomp_arch_remove(ctx, foreign[i]) < 0)
			return fail(error, GB_E_LIBSECCOMP, "cannot remove a foreign architecture");
	}
	/* libseccomp's default is to kill silently; we want the violation path. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, bad_arch_action);
	if (rc < 0)
		return fail(error, GB_E_LIBSECCOMP, "cannot set the bad-arch action: %s", strerror(-rc));
	/* Binary search over syscall numbers: O(log n) per call for ~300 rules. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0)
		return fail(error, GB_E_LIBSECCOMP, "cannot enable the binary tree: %s", strerror(-rc));
	return 0;
}

/* libseccomp 2.5 has no seccomp_export_bpf_mem() (2.6 does): export to a memfd and read it back. */
static int export_bpf(scmp_filter_ctx ctx, uint8_t **bpf, size_t *bpf_len, struct gb_error *error)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd, rc;

	fd = memfd_create("gradebox-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return fail(error, GB_E_SYSTEM, "memfd_create: %s", strerror(errno));
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		fail(error, GB_E_LIBSECCOMP, "seccomp_export_bpf: %s", strerror(-rc));
		goto out;
	}
	rc = -1;
	if (fstat(fd, &st) < 0) {
		fail(error, GB_E_SYSTEM, "fstat of the memfd: %s", strerror(errno));
		goto out;
	}
	if (st.st_size <= 0 || st.st_size % 8 != 0) {
		fail(error, GB_E_LIBSECCOMP, "exported program has %lld bytes, not a whole number of instructions",
		     (long long)st.st_size);
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (buf == NULL) {
		fail(error, GB_E_SYSTEM, "out of memory");
		goto out;
	}
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		fail(error, GB_E_SYSTEM, "short read of the memfd");
		free(buf);
		goto out;
	}
	*bpf = buf;
	*bpf_len = (size_t)st.st_size;
	rc = 0;
out:
	close(fd);
	return rc;
}

int gb_filter_compile(const struct gb_filter_spec *spec, uint8_t **bpf, size_t *bpf_len,
		      struct gb_error *error)
{
	uint32_t default_action = 0, bad_arch_action = 0;
	scmp_filter_ctx ctx;
	int rc = -1;

	error->code = GB_OK;
	error->message[0] = '\0';
	if (to_scmp_action(&spec->default_action, &default_action, error) < 0 ||
	    to_scmp_action(&spec->bad_arch_action, &bad_arch_action, error) < 0)
		return -1;
	ctx = seccomp_init(default_action);
	if (ctx == NULL)
		return fail(error, GB_E_LIBSECCOMP, "seccomp_init refused the default action");
	if (setup_arch(ctx, bad_arch_action, error) < 0)
		goto out;
	for (size_t i = 0; i < spec->rule_count; i++) {
		if (add_rule(ctx, default_action, &spec->rules[i], error) < 0)
			goto out;
	}
	rc = export_bpf(ctx, bpf, bpf_len, error);
out:
	seccomp_release(ctx);
	return rc;
}

int gb_syscall_number(const char *name)
{
	/* Negative numbers are libseccomp's pseudo-syscalls (e.g. socketcall): absent on x86_64. */
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	return nr < 0 ? -1 : nr;
}

char *gb_syscall_name(int nr)
{
	if (nr < 0)
		return NULL;
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
}
