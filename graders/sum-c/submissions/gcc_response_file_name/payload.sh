echo "payload ran: the submission ran its own code in the build" >&2
exit 1
