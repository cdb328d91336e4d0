#!/bin/sh
echo "toolexec ran: $*" >&2
exit 1
