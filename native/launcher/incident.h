/* The violation incident pipeline (incident.c): stop, record, snapshot, kill, report. */
#ifndef GRADEBOX_INCIDENT_H
#define GRADEBOX_INCIDENT_H

#include <linux/seccomp.h>

#include "launcher.h"
#include "snapshot.h"

struct incident_context {
  int scratch_fd;           /* root of the scratch tmpfs: everything the sandbox could write */
  const char *evidence_dir; /* where archives go; NULL: no snapshot */
  struct snapshot_limits limits;
};

/* Reads one pending notification; false if its caller is already gone. */
bool receive_violation(int notify_fd, struct seccomp_notif *req);
/* Runs the whole pipeline for the first violation of a run and reports it as status events. */
void handle_incident(const struct seccomp_notif *req, pid_t init, const struct incident_context *ctx);

#endif
