/**
 * What the command gate knows of the programs that run other programs: each tool's options (which
 * take a value), where its command starts, and which of its options carry a shell script. A tool
 * not listed here is judged as its own command line only (`python -c …` is `python *` to the rules).
 * An option a listed tool does not know makes the gate unsure: it cannot tell where the command starts.
 */

export interface OptionSyntax {
  /** Options that take a value: the next word, or attached (`-n5`, `--adjustment=5`). */
  withValue: readonly string[];
  /** Options that take none (`--name=value` is still read as an option with a value). */
  flags: readonly string[];
  /** Options whose value may only be attached (`-i{}`, `--eof=x`): alone they take none. */
  optionalValue?: readonly string[];
}

export interface Wrapper extends OptionSyntax {
  /** Words after the options and before the command (timeout's duration, chroot's new root). */
  operands?: number;
  /** Options whose value is a shell script the tool runs (`flock -c`, `script -c`). */
  scriptOptions?: readonly string[];
  /** Options after which no command runs (`command -v` only says where a command is). */
  noCommand?: readonly string[];
  /** A number is an option (`nice -10`). */
  numericOption?: boolean;
  /** NAME=VALUE words may stand before the command (env). */
  assignments?: boolean;
  /** The command gets arguments the line does not show (xargs reads them from its input). */
  moreArguments?: boolean;
  /** The command when none is given (xargs runs echo). */
  defaultCommand?: string;
  /** The command's words are joined into a script for a shell (watch). */
  joinsIntoScript?: boolean;
  /** Only a script option runs anything; other words are not a command (script's typescript file). */
  scriptOnly?: boolean;
}

const none: OptionSyntax = { withValue: [], flags: [] };

/** Programs that run the command written after their own options. */
export const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  command: { withValue: [], flags: ["-p"], noCommand: ["-v", "-V"] },
  builtin: none,
  exec: { withValue: ["-a"], flags: ["-c", "-l"] },
  nohup: none,
  setsid: { withValue: [], flags: ["-c", "-f", "-w", "--ctty", "--fork", "--wait"] },
  sudo: {
    withValue: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group", "--close-from", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--command-timeout", "--chroot"],
    flags: ["-A", "-b", "-E", "-H", "-i", "-K", "-k", "-n", "-P", "-S", "-s", "-V", "-v", "--askpass", "--background", "--preserve-env", "--set-home", "--login", "--remove-timestamp", "--reset-timestamp", "--non-interactive", "--preserve-groups", "--stdin", "--shell"],
    noCommand: ["-e", "--edit", "-l", "--list"],
  },
  doas: { withValue: ["-u", "-C"], flags: ["-n", "-s", "-L"] },
  env: {
    withValue: ["-u", "-C", "-S", "--unset", "--chdir", "--split-string"],
    flags: ["-i", "-0", "-v", "-", "--ignore-environment", "--null", "--debug", "--list-signal-handling"],
    optionalValue: ["--block-signal", "--default-signal", "--ignore-signal"],
    assignments: true,
  },
  nice: { withValue: ["-n", "--adjustment"], flags: [], numericOption: true },
  ionice: { withValue: ["-c", "-n", "--class", "--classdata"], flags: ["-t", "--ignore"], noCommand: ["-p", "-P", "-u", "--pid", "--pgid", "--uid"] },
  timeout: { withValue: ["-s", "-k", "--signal", "--kill-after"], flags: ["-v", "--preserve-status", "--foreground", "--verbose"], operands: 1 },
  stdbuf: { withValue: ["-i", "-o", "-e", "--input", "--output", "--error"], flags: [] },
  time: { withValue: ["-f", "-o", "--format", "--output"], flags: ["-p", "-a", "-v", "-q", "--portability", "--append", "--verbose", "--quiet"] },
  chrt: { withValue: ["-T", "-P", "-D", "--sched-runtime", "--sched-period", "--sched-deadline"], flags: ["-a", "-b", "-d", "-f", "-i", "-o", "-r", "-R", "-v", "--all-tasks", "--batch", "--deadline", "--fifo", "--idle", "--other", "--rr", "--reset-on-fork", "--verbose"], noCommand: ["-m", "-p", "--max", "--pid"], operands: 1 },
  taskset: { withValue: [], flags: ["-a", "-c", "--all-tasks", "--cpu-list"], noCommand: ["-p", "--pid"], operands: 1 },
  xargs: {
    withValue: ["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"],
    flags: ["-0", "-o", "-p", "-r", "-t", "-x", "--null", "--open-tty", "--interactive", "--no-run-if-empty", "--verbose", "--exit", "--show-limits"],
    optionalValue: ["-e", "-i", "-l", "--eof", "--replace", "--max-lines"],
    moreArguments: true,
    defaultCommand: "echo",
  },
  watch: {
    withValue: ["-n", "-q", "--interval", "--equexit"],
    flags: ["-b", "-c", "-C", "-e", "-g", "-p", "-r", "-t", "-w", "-x", "--beep", "--color", "--no-color", "--errexit", "--chgexit", "--precise", "--no-rerun", "--no-title", "--no-wrap", "--exec"],
    optionalValue: ["-d", "--differences"],
    joinsIntoScript: true,
  },
  flock: { withValue: ["-w", "-E", "--timeout", "--conflict-exit-code"], flags: ["-s", "-x", "-e", "-u", "-n", "-o", "-F", "--shared", "--exclusive", "--unlock", "--nonblock", "--close", "--no-fork", "--verbose"], scriptOptions: ["-c", "--command"], operands: 1 },
  unbuffer: { withValue: [], flags: ["-p"] },
  script: { withValue: ["-E", "-I", "-O", "-B", "-T", "-m", "--echo", "--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format"], flags: ["-a", "-e", "-f", "-q", "--append", "--return", "--flush", "--quiet"], optionalValue: ["-t", "--timing"], scriptOptions: ["-c", "--command"], scriptOnly: true },
  su: { withValue: ["-s", "-g", "-G", "-w", "--shell", "--group", "--supp-group", "--whitelist-environment"], flags: ["-", "-l", "-m", "-p", "-P", "-f", "--login", "--preserve-environment", "--pty", "--fast"], scriptOptions: ["-c", "--command", "--session-command"], scriptOnly: true },
  runuser: { withValue: ["-u", "-s", "-g", "-G", "-w", "--user", "--shell", "--group", "--supp-group", "--whitelist-environment"], flags: ["-", "-l", "-m", "-p", "-P", "-f", "--login", "--preserve-environment", "--pty", "--fast"], scriptOptions: ["-c", "--command", "--session-command"] },
  chroot: { withValue: ["--userspec", "--groups"], flags: ["--skip-chdir"], operands: 1 },
};

/** Shells whose scripts are read with the bash grammar (they agree on what the gate looks at). */
export const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "rbash", "lksh", "pdksh", "ksh93", "hush"]);
/** Shells of another language: a script for them is text the gate cannot read. */
export const FOREIGN_SHELLS = new Set(["fish", "csh", "tcsh", "nu", "pwsh", "powershell", "xonsh", "elvish", "ion", "rc", "es"]);

/** Variables whose value a program runs as a command (`GIT_SSH_COMMAND='…' git fetch`): judged like one. */
export const COMMAND_VARIABLES = new Set([
  ...["GIT_SSH_COMMAND", "GIT_SSH", "GIT_PAGER", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "GIT_PROXY_COMMAND"],
  ...["SSH_ASKPASS", "SUDO_ASKPASS", "PAGER", "MANPAGER", "EDITOR", "VISUAL", "BROWSER", "LESSOPEN", "LESSCLOSE"],
]);
/** Variables that make a program run what the line does not show (a file it sources, configuration it reads): unsure. */
export const HIDDEN_COMMAND_VARIABLES = new Set(["BASH_ENV", "ENV", "PROMPT_COMMAND", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_EXEC_PATH", "GIT_TEMPLATE_DIR", "LD_PRELOAD", "LD_AUDIT"]);

/** git's options before its subcommand (`git -C dir -c k=v push`). */
export const GIT_OPTIONS: OptionSyntax = {
  withValue: ["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--config-env", "--list-cmds", "--attr-source"],
  flags: [
    ...["-p", "-P", "--paginate", "--no-pager", "--bare", "--no-replace-objects", "--no-lazy-fetch", "--literal-pathspecs", "--glob-pathspecs"],
    ...["--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks", "--no-advice", "--version", "--help", "-h", "--html-path", "--man-path", "--info-path"],
  ],
  // `--exec-path` alone prints a folder; `--exec-path=DIR` runs git's programs from DIR (unsure, below).
  optionalValue: ["--exec-path"],
};

/** `-c` keys whose value git runs as a shell command (`core.pager`, `*.textconv`, `credential.helper` …), lower case; `*` is one section part. */
export const GIT_COMMAND_KEYS = [
  ...["core.sshcommand", "core.pager", "pager.*", "core.editor", "sequence.editor", "core.askpass", "core.gitproxy", "core.fsmonitor"],
  ...["diff.external", "diff.*.textconv", "diff.*.command", "filter.*.clean", "filter.*.smudge", "filter.*.process", "merge.*.driver"],
  ...["credential.helper", "credential.*.helper", "gpg.program", "gpg.*.program", "uploadpack.packobjectshook", "remote.*.uploadpack", "remote.*.receivepack"],
  ...["interactive.difffilter", "difftool.*.cmd", "mergetool.*.cmd", "web.browser", "browser.*.cmd", "man.*.cmd", "sendemail.smtpserver", "sendemail.tocmd", "sendemail.cccmd"],
];
/** `-c` keys that change nothing git runs (names, colours, formats, defaults), lower case. Any other key makes the gate unsure. */
export const GIT_HARMLESS_KEYS = [
  ...["user.*", "author.*", "committer.*", "color.*", "color.*.*", "advice.*", "init.defaultbranch", "safe.directory", "column.ui", "versionsort.suffix"],
  ...["core.quotepath", "core.autocrlf", "core.safecrlf", "core.eol", "core.filemode", "core.ignorecase", "core.longpaths", "core.abbrev", "core.precomposeunicode", "core.symlinks"],
  ...["commit.gpgsign", "tag.gpgsign", "commit.verbose", "log.*", "format.pretty", "diff.noprefix", "diff.mnemonicprefix", "diff.renames", "diff.algorithm", "diff.colormoved"],
  ...["merge.conflictstyle", "pull.rebase", "pull.ff", "push.default", "push.autosetupremote", "fetch.prune", "rebase.autosquash", "rebase.autostash", "gc.auto", "maintenance.auto"],
  ...["status.showuntrackedfiles", "http.sslverify", "protocol.version", "i18n.commitencoding", "i18n.logoutputencoding", "grep.linenumber", "blame.date", "submodule.recurse", "checkout.defaultremote"],
];

/** Subcommands' options whose value git runs as a script, and subcommands whose remaining words are one. */
export const GIT_SUBCOMMAND_SCRIPTS: Readonly<Record<string, { options?: readonly string[]; rest?: "script" | "command" }>> = {
  rebase: { options: ["-x", "--exec"] },
  difftool: { options: ["-x", "--extcmd"] },
  "filter-branch": { options: ["--env-filter", "--tree-filter", "--index-filter", "--parent-filter", "--msg-filter", "--commit-filter", "--tag-name-filter"] },
  fetch: { options: ["--upload-pack"] },
  pull: { options: ["--upload-pack"] },
  "ls-remote": { options: ["--upload-pack"] },
  clone: { options: ["-u", "--upload-pack"] },
  archive: { options: ["--exec"] },
  push: { options: ["--receive-pack", "--exec"] },
  submodule: { rest: "script" }, // `git submodule foreach CMD…` (other submodule commands only get more words to read)
  bisect: { rest: "command" }, // `git bisect run CMD…`
};

/** Package managers: options before the subcommand that take a value, and the subcommands that run a package's program. */
export interface PackageManager extends OptionSyntax {
  /** Subcommands that run a command (`npm exec`, `pnpm dlx`): the words after their own options. */
  runners: readonly string[];
  /** The runner's options that carry a shell script (`npm exec -c '…'`). */
  scriptOptions: readonly string[];
  /** Options whose value is a program the manager runs scripts with (`--script-shell`). */
  programOptions?: readonly string[];
  /** The whole tool is a runner (npx, bunx). */
  runsCommand?: boolean;
}

const NPM_VALUES = ["--prefix", "-C", "--workspace", "-w", "--userconfig", "--globalconfig", "--cache", "--registry", "--loglevel", "--otp", "--tag", "--access", "--scope", "--include", "--omit", "--before", "--script-shell", "--node-options", "--package", "-p", "--call", "-c"];
const NPM_FLAGS = ["--workspaces", "-ws", "--include-workspace-root", "--global", "-g", "--silent", "-s", "--quiet", "-q", "--verbose", "-d", "--dry-run", "--force", "-f", "--yes", "-y", "--no-yes", "--json", "--ignore-scripts", "--if-present", "--no-audit", "--no-fund", "--offline", "--prefer-offline", "--legacy-peer-deps", "--no", "--no-install"];

export const PACKAGE_MANAGERS: Readonly<Record<string, PackageManager>> = {
  npm: { withValue: NPM_VALUES, flags: NPM_FLAGS, runners: ["exec", "x"], scriptOptions: ["-c", "--call"], programOptions: ["--script-shell"] },
  npx: { withValue: NPM_VALUES, flags: NPM_FLAGS, runners: [], scriptOptions: ["-c", "--call"], programOptions: ["--script-shell"], runsCommand: true },
  pnpm: { withValue: ["-C", "--dir", "--filter", "-F", "--reporter", "--loglevel", "--package"], flags: ["-w", "--workspace-root", "-r", "--recursive", "--silent", "-s", "--shell-mode", "--parallel", "--stream", "--if-present", "-g", "--global"], runners: ["dlx", "exec"], scriptOptions: [], programOptions: ["--script-shell"] },
  pnpx: { withValue: ["--package"], flags: ["--silent", "-s"], runners: [], scriptOptions: [], runsCommand: true },
  yarn: { withValue: ["--cwd", "--mutex", "--network-timeout", "--modules-folder", "--cache-folder", "--registry", "--package", "-p"], flags: ["--silent", "-s", "--verbose", "--offline", "--frozen-lockfile", "--immutable", "-q", "--quiet"], runners: ["dlx", "exec"], scriptOptions: [] },
  bun: { withValue: ["--cwd", "--config", "-c", "--env-file", "--filter", "-F", "--package", "-p"], flags: ["--silent", "--bun", "-b", "--smol", "--hot", "--watch", "--no-install", "-i"], runners: ["x"], scriptOptions: [] },
  bunx: { withValue: ["--package", "-p"], flags: ["--bun", "-b", "--silent"], runners: [], scriptOptions: [], runsCommand: true },
};

/** `find` actions that run a command, ended by `;` or by `{} +`. */
export const FIND_EXEC_ACTIONS = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
