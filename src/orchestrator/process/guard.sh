# The POSIX shell guard (guard.ts), where the Perl guard cannot run: holds the read end of a pipe
# from us (its stdin) and runs "$@" in the background. If our process dies in a way that runs no
# handler (SIGKILL, an editor shutting its extension host down hard), the pipe reaches EOF and the
# guard kills the whole group: nothing is orphaned. When the program exits by itself the guard
# exits with its status. The program's stdout and stderr are ours.
exec 3<&0
"$@" </dev/null 3<&- &
program=$!
{ read -r _ <&3; kill -KILL 0; } &
guard=$!
wait "$program"
code=$?
kill "$guard" 2>/dev/null
exit "$code"
