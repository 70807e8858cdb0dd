# The guard of one process tree (guard.ts starts it, with `perl -w -e`): it runs a program so
# that nothing the program starts outlives it, nor us.
#
# Arguments: system call numbers "prctl,clone,mount,pidfd_open,clone3" here (0: unknown, or not wanted),
# the cgroup v2 folder to make a cgroup of its own in ('' for none), then the program and its
# arguments. Its stdin is the lifeline from us (EOF: we died); the program gets /dev/null. It exits
# with the program's status (128 + signal, as a shell does), only once nothing it started is left:
# what the program left running is sent SIGTERM, then SIGKILL after a grace period; a SIGTERM to the
# guard is passed on to all of it; EOF on the lifeline is SIGKILL to all of it.
#
# The strongest containment this machine allows, tried at each start in this order:
#  1. A PID namespace, its init a forked copy of this program (pid 1 inside), in a user namespace
#     that maps our own uid and gid where we lack CAP_SYS_ADMIN, with /proc of its own where the
#     kernel allows a new mount of it. Nothing inside can leave it (setsid, double forks), see us or
#     signal us, nor stop or kill its init; when the init exits (the program ended, we or the guard
#     died, the lifeline broke) the kernel SIGKILLs everything left in it.
#  2. A cgroup (v2) of its own for the program, where we may make one: ended with one write even
#     after the guard died. A process inside can still move itself to another cgroup we may write.
#  3. A child subreaper (prctl PR_SET_CHILD_SUBREAPER, which Node cannot call): orphans among our
#     descendants come back to us instead of init.
#
# Warnings by -w; no module at all (strict, POSIX, Errno through %!): each is a file to read and
# compile at every start, ~1 ms of a guard's ~3 ms. WNOHANG is 1 and EINTR 4 on every Linux.
my ($prctl, $clone, $mount, $pidfd, $clone3) = split /,/, shift @ARGV;
my $cgroups = shift @ARGV;
# Taken before a user namespace would show them as the overflow id.
my ($uid, $gid) = ($>, (split / /, $))[0]);
our ($program, $status, $term, $cg, $alive, $init) = (0, undef, 0, undef, undef, 0);
$SIG{CHLD} = sub {};
$SIG{TERM} = sub { $term = 1 };

sub put { my ($file, $text) = @_; sysopen(my $f, $file, 1) or return 0; my $n = syswrite($f, $text); close $f; return defined $n; }

# Forks the namespace's init: its pid here; 0 in the init itself; -1 where no namespace can be made.
sub namespace {
  return -1 unless $clone && $prctl;
  # NEWNS|NEWPID, with NEWUSER where we lack CAP_SYS_ADMIN (for root first without: nothing changes for it).
  my @tries = $uid == 0 ? (0x20020000, 0x30020000) : (0x30020000);
  for my $flags (@tries) {
    pipe(my $ready_r, my $ready_w) or return -1;
    pipe(my $alive_r, my $alive_w) or return -1;  # the guard holds its write end until it dies
    my $pid = syscall($clone, $flags | 17, 0, 0, 0, 0);  # like fork (SIGCHLD to us at its end), into new namespaces
    next if $pid < 0;
    if ($pid == 0) {
      $init = 1;  # the namespace's init (pid 1 there): what it signals with -1 is the namespace, never the machine
      close $ready_r; close $alive_w;
      syscall($prctl, 1, 9, 0, 0, 0);  # PR_SET_PDEATHSIG: SIGKILL when the guard dies, ending the namespace
      if ($flags & 0x10000000) {
        put('/proc/self/setgroups', 'deny');
        exit 1 unless put('/proc/self/gid_map', "$gid $gid 1") && put('/proc/self/uid_map', "$uid $uid 1");
      }
      # Its own /proc: only its own processes to see (mounts made slave first, so none goes back out).
      # (syscall wants strings it may write to: no constants.)
      my ($root, $fs, $at) = ('/', 'proc', '/proc');
      $mount and syscall($mount, 0, $root, 0, 0x84000, 0) == 0 and syscall($mount, $fs, $at, $fs, 14, 0);
      # Pids from a random start, as on the host: a pid one namespace printed names nothing in another
      # (an agent's `kill <pid>` from elsewhere fails), rather than the same few low numbers in each.
      put('/proc/sys/kernel/ns_last_pid', 1000 + int(rand(29000)));
      syswrite($ready_w, '1'); close $ready_w;
      $alive = $alive_r;
      syscall($prctl, 4, 0, 0, 0, 0);  # PR_SET_DUMPABLE 0 (see below), now that its maps are written
      return 0;
    }
    close $ready_w; close $alive_r;
    my $n; do { $n = sysread($ready_r, my $buf, 1) } while (!defined $n && $! == 4);
    close $ready_r;
    if ($n) { $alive = $alive_w; return $pid; }
    waitpid($pid, 0);  # it could not map our ids: no namespace
  }
  return -1;
}

# A cgroup of our own under the folder given, or undef.
# (One left by an earlier guard of this pid, killed before it could remove it, is empty: it goes.)
sub cgroup { return undef unless $cgroups && $clone3; my $dir = "$cgroups/orchestrator-$$"; return mkdir($dir) || (rmdir($dir) && mkdir($dir)) ? $dir : undef; }
# Forks the program, into our cgroup where we have one: clone3 with CLONE_INTO_CGROUP (Linux 5.7)
# starts it there, where moving it in (a write to cgroup.procs) would wait ~10 ms for the kernel.
sub start {
  if ($cg) {
    if (sysopen(my $dir, $cg, 0)) {
      my $args = pack('Q11', 1 << 33, 0, 0, 0, 17, 0, 0, 0, 0, 0, fileno($dir));
      my $pid = syscall($clone3, $args, length $args);
      return $pid if $pid >= 0;
    }
    rmdir $cg; $cg = undef;
  }
  return fork();
}
sub cgroup_pids { return () unless $cg && open(my $f, '<', "$cg/cgroup.procs"); my @p = <$f>; close $f; chomp @p; return @p; }
sub cgroup_kill { put("$cg/cgroup.kill", '1') if $cg; }
sub cgroup_remove { return unless $cg; for (1 .. 40) { return if rmdir($cg) || !-d $cg; cgroup_kill(); pause_for(0.005); } }

# Our descendants, from /proc.
sub tree {
  my %kids; opendir(my $d, '/proc') or return ();
  for my $p (grep { /^\d+$/ } readdir $d) {
    open(my $f, '<', "/proc/$p/stat") or next; my $s = <$f>; close $f; next unless defined $s;
    my @x = split / /, substr($s, rindex($s, ')') + 2);
    push @{$kids{$x[1]}}, $p unless $x[0] eq 'Z' || $x[0] eq 'X';
  }
  closedir $d;
  my @out; my @todo = ($$);
  while (@todo) { my $p = shift @todo; for my $k (@{$kids{$p} || []}) { push @out, $k; push @todo, $k; } }
  return @out;
}
# Everything below us. In the namespace's init: -1, every process of the namespace but this one.
sub everyone { return $init && $$ == 1 ? (-1) : (cgroup_pids(), tree()); }
sub reap { my $k; while (($k = waitpid(-1, 1)) > 0) { $status = $? if $k == $program; } return $k; }  # -1: no child left
sub pause_for { select(undef, undef, undef, $_[0]); }
sub sweep {  # everything below us is gone when we return (the dead are reaped at the end)
  return if reap() < 0;  # no child: no descendant either (orphans come back to us), no /proc scan needed
  kill 'TERM', everyone();
  for (1 .. 20) { last if reap() < 0; pause_for(0.025); }
  return if $init;  # the namespace's init: its exit ends the rest
  for (1 .. 400) { last if reap() < 0; cgroup_kill(); my @t = everyone(); kill 'KILL', @t if @t; pause_for(0.005); }
  1 while waitpid(-1, 0) > 0;
}
sub lost {  # the lifeline broke (we died), or the guard did (in the namespace): SIGKILL to all
  exit 137 if $init;
  for (1 .. 50) { cgroup_kill(); my @t = everyone(); last unless @t; kill 'KILL', @t; reap(); }
  cgroup_remove();
  exit 137;
}

my $made = namespace();
# PR_SET_DUMPABLE 0: our environment is the program's (a server's holds its password): closed to
# other processes of the user (/proc/<pid>/environ, ptrace), the agents' commands inside the
# namespace above all, which see its init as pid 1. The program's exec makes it dumpable again,
# as it was: the server closes its own (the workspace guard plugin).
syscall($prctl, 4, 0, 0, 0, 0) if $prctl && $made != 0;
if ($made > 0) {
  $program = $made;  # the namespace's init runs the program
} else {
  if ($made < 0) {
    syscall($prctl, 36, 1, 0, 0, 0) if $prctl;  # PR_SET_CHILD_SUBREAPER: orphans below us come back to us
    $cg = cgroup();
  }
  $program = start();
  die "fork: $!" unless defined $program && $program >= 0;
  if ($program == 0) {
    $SIG{TERM} = 'DEFAULT';
    open(STDIN, '<', '/dev/null');
    exec { $ARGV[0] } @ARGV;
    exit 127;
  }
}
# A pidfd of the program is readable once it has exited: select wakes even if the SIGCHLD landed
# just before it. Without one (before Linux 5.3) the first waits are short, so that a quick program
# is not held up to half a second (a check of a few ms would be, about one time in 50).
my $exited = $pidfd ? syscall($pidfd, $program, 0) : -1;
my $wait = $exited >= 0 ? 0.5 : 0.005;
my @watch = (\*STDIN, $init ? ($alive) : ());
for (;;) {
  reap();
  last if defined $status;
  if ($term) { $term = 0; my @t = everyone(); kill 'TERM', @t if @t; }
  my $rin = ''; vec($rin, fileno($_), 1) = 1 for @watch;
  vec($rin, $exited, 1) = 1 if $exited >= 0;
  if (select(my $rout = $rin, undef, undef, $wait) > 0) {
    for my $fh (@watch) {
      next unless vec($rout, fileno($fh), 1);
      my $n = sysread($fh, my $buf, 64);
      next if !defined $n && $! == 4;  # EINTR
      lost() if !$n;
    }
  }
  $wait = 0.5 if ($wait *= 2) > 0.5;
}
sweep();
cgroup_remove();
exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
