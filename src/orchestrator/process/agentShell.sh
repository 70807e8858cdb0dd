# The sandboxed part of the agents' shell (agentShell.ts writes the lines before this one: the
# orchestrator's secrets unset, then ws, bwrap, shell, protected and quarantine_dir, each quoted).
#
# The command runs in bubblewrap: the file system read-only but the workspace, a private /tmp and
# /proc, its own PID namespace. What configures git, OpenCode and the editor (the names in
# $protected) stays read-only: code an agent put there would run outside the sandbox. bwrap can
# make read-only only what exists (a mount needs a mount point, and one made for a name that is
# missing would be an empty file in the user's workspace, which OpenCode would then fail to parse):
# so a protected name that was missing when the command started and exists when it ends — it ended,
# was stopped or interrupted — is moved into the orchestrator's quarantine folder, kept, never
# deleted, and the command's output says so. `.opencode` always exists (agentShell.ts makes it), so
# it is always read-only.

# The sandbox's /tmp is its own: a working folder under the real /tmp (outside the workspace) is not there.
case "$PWD" in "$ws"|"$ws"/*) dir="$PWD" ;; /tmp|/tmp/*) dir="$ws" ;; *) dir="$PWD" ;; esac
missing=
for name in $protected; do
  [ "$name" = .opencode ] && continue
  [ -e "$ws/$name" ] || [ -h "$ws/$name" ] || missing="$missing $name"
done
quarantine() {
  for name in $missing; do
    [ -e "$ws/$name" ] || [ -h "$ws/$name" ] || continue
    q="$ws/$quarantine_dir/$(date +%Y%m%d-%H%M%S)-$$"
    if [ -h "$ws/.opencode" ] || [ -h "$ws/.opencode/orchestrator" ] || ! mkdir -p "$q" || ! mv -- "$ws/$name" "$q/"; then
      echo "orchestrator sandbox: the command created $name, which the workspace protects (it configures git, OpenCode or the editor), and it could not be moved aside: remove it before trusting it" >&2
    else
      echo "orchestrator sandbox: the command created $name, which the workspace protects (it configures git, OpenCode or the editor); it was moved to ${q#"$ws/"}/ (nothing was deleted)" >&2
    fi
  done
}
trap 'quarantine; exit 129' HUP
trap 'quarantine; exit 130' INT
trap 'quarantine; exit 143' TERM
# bwrap's arguments before the command's own ("$@"): the shell, where it starts, then the protected
# names read-only over the writable workspace.
set -- --setenv SHELL "$shell" --chdir "$dir" "$shell" "$@"
for name in $protected; do set -- --ro-bind-try "$ws/$name" "$ws/$name" "$@"; done
# Read-only root; the workspace writable but for those; a private /tmp and /proc; the device nodes a build needs.
"$bwrap" --die-with-parent --new-session --unshare-pid --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind "$ws" "$ws" "$@"
code=$?
quarantine
exit "$code"
