/** OpenCode's permission rules applied to the commands the orchestrator runs itself, read with a real shell parser. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideScan, judge, permissionRules, wildcardMatch, type PermissionRule } from "../../src/orchestrator/agents/commandPolicy";
import { headlessPermissionPolicy } from "../../src/orchestrator/agents/permissions";
import { scanCommandLine } from "../../src/orchestrator/agents/shellCommands";
import { shellParser } from "../../src/orchestrator/agents/shellSyntax";
import { HOLE, type ShellText } from "../../src/orchestrator/agents/shellWords";

test("OpenCode's wildcard: * and ?, and 'cmd *' matches the bare command too", () => {
  assert.ok(wildcardMatch("git status", "git *"));
  assert.ok(wildcardMatch("git", "git *"));
  assert.ok(!wildcardMatch("gitk", "git *"));
  assert.ok(wildcardMatch("rm -rf a.b", "rm ?rf *"));
  assert.ok(!wildcardMatch("xrm", "rm*"));
});

/** The text for a person: a hole shows as `…`. */
const shownText = (text: ShellText) => text.map((p) => (p === HOLE ? "…" : p)).join("");

/** How the bash rules decide a command line, as the job gate decides its scan. */
const decideCommand = async (rules: readonly PermissionRule[], command: string) => decideScan(rules, scanCommandLine(await shellParser(), command));

/** The commands the gate finds in a line, as the rules see them (… where only the shell knows). */
async function found(line: string): Promise<string[]> {
  return scanCommandLine(await shellParser(), line).commands.map((c) => (c.unsure ? `?${c.source}` : shownText(c.text)));
}

test("every command of a line is found, quotes removed, assignments and redirections left out", async () => {
  assert.deepEqual(await found("npm ci && npm test | tee log; echo 'a && b' & wait"), ["npm ci", "npm test", "tee log", "echo a && b", "wait"]);
  assert.deepEqual(await found("FOO=1 npm test 2>&1 >out.log"), ["npm test"]);
  assert.deepEqual(await found("echo $(cat /etc/hostname) `id` <(ls a)"), ["cat /etc/hostname", "id", "ls a", "echo … … …"]);
  assert.deepEqual(await found("f() { rm \"$@\"; }; if true; then (cd sub && make); fi"), ["rm …", "true", "cd sub", "make"]);
  assert.ok((await found("echo 'unterminated")).includes("?echo 'unterminated"), "text the parser cannot read is unsure as a whole");
});

test("text only the shell knows is a hole: the rules that could match it count", () => {
  const rules = permissionRules({ bash: { "*": "allow", "rm *": "deny", "git push*": "deny" } });
  assert.equal(judge(rules, "bash", ["echo ", HOLE]).action, "allow", "no rule but the catch-all can match echo …");
  assert.equal(judge(rules, "bash", ["rm ", HOLE]).action, "deny", "rm … is rm whatever it removes");
  assert.equal(judge(rules, "bash", ["git ", HOLE, " origin"]).action, "ask", "git … may be git push");
  assert.equal(judge(rules, "bash", [HOLE]).action, "ask", "any command at all: the rules differ");
  assert.equal(judge(permissionRules({ bash: "deny" }), "bash", [HOLE]).action, "deny", "every command denied");
  assert.equal(judge(permissionRules({ bash: { "*": "deny", "npm test*": "allow" } }), "bash", ["npm ", HOLE]).action, "deny", "the sure answer denies");
  assert.equal(judge(permissionRules(headlessPermissionPolicy()), "bash", [HOLE]).action, "allow", "the default policy allows every command");
  assert.deepEqual(judge(rules, "bash", ["ls"], true), {}, "another spelling is judged only by rules that name it");
});

test("the configuration's rules, last match wins, the strictest part decides", async () => {
  const rules = permissionRules({ ...headlessPermissionPolicy(), bash: { "*": "allow", "rm *": "deny", "git push*": "ask" } });
  assert.equal((await decideCommand(rules, "npm test")).action, "allow");
  assert.deepEqual(await decideCommand(rules, "npm test && rm -rf build"), { action: "deny", part: "rm -rf build", rule: { permission: "bash", pattern: "rm *", action: "deny" } });
  assert.equal((await decideCommand(rules, "git commit -am x; git push origin main")).action, "ask");
  assert.equal((await decideCommand(rules, "echo $(rm -rf /)")).action, "deny", "a substitution's command is judged");
  assert.equal((await decideCommand(rules, "echo $(date)")).action, "allow", "and a harmless one allowed");
  assert.equal((await decideCommand(permissionRules(headlessPermissionPolicy()), "$CMD x")).action, "allow", "the default policy allows every command");
  assert.equal((await decideCommand(permissionRules({ bash: "deny" }), "ls")).action, "deny");
  assert.equal((await decideCommand(permissionRules("ask"), "ls")).action, "ask");
  assert.equal((await decideCommand([], "ls")).action, "ask", "no rule at all: OpenCode asks");
  assert.equal((await decideCommand(permissionRules(undefined), "ls")).action, "allow", "no configuration: OpenCode's defaults allow commands");
  assert.equal((await decideCommand(permissionRules({ bash: { "rm *": "deny", "*": "allow" } }), "/bin/rm x")).action, "allow", "a catch-all after the rule wins, as in OpenCode");
  assert.equal((await decideCommand(permissionRules({ bash: { "*": "ask", "./build.sh": "allow" } }), "./build.sh")).action, "allow", "a spelling is not asked about by the catch-all");
});

/** The audit's rules (issue 26), with the publish rule its `npm --prefix x publish` was tried against. */
const AUDIT_RULES = permissionRules({ bash: { "*": "allow", "rm *": "deny", "git push*": "deny", "npm publish*": "deny" } });

/** Spellings that ran `rm`, `git push` or `npm publish` past a prefix match: none may be allowed. */
const HOSTILE = [
  // quotes and escapes inside the command name
  "r''m -rf x", '"r"m -rf x', "\\rm -rf x", "r\\m -rf x", "$'rm' -rf x", "$'\\x72m' -rf x", "/bin/rm -rf x",
  // redirections and assignments first
  ">x rm -rf y", "2>/dev/null rm -rf y", "FOO=1 rm -rf x",
  // shells fed by a pipe, a here-string, a here-document, -c
  "echo rm -rf x | sh", "echo rm -rf x | bash -s", "cat script | sh", "sh <<< 'rm -rf x'", "bash <<EOF\nrm -rf x\nEOF\n", "bash <<'EOF'\nrm -rf x\nEOF\n",
  "sh -c 'rm -rf x'", 'bash -ec "rm -rf x"', "busybox sh -c 'rm -rf x'", "exec 0<<<'rm -rf x'; sh", "sh -c \"sh -c 'sh -c \\\"sh -c rm\\\"'\"",
  // eval, functions, blocks, substitutions, traps
  "eval 'rm -rf x'", 'eval "$CMD"', 'f(){ rm "$@"; }; f x', "case a in a) rm -rf x;; esac", "if true; then rm -rf x; fi", "while true; do rm -rf x; done",
  "(cd sub && rm -rf x)", "true && # a comment between\n rm -rf x", "x=$(rm -rf y)", 'echo "$(rm -rf y)"', "echo `rm -rf y`", "cat <(rm -rf y)", "trap 'rm -rf x' EXIT",
  // expansions in the command name
  "{rm,-rf,x}", "rm${IFS}-rf${IFS}x", "$CMD -rf x", '"$(echo rm)" -rf x', "alias r=rm; r -rf x", ". ./script.sh", "coproc rm -rf x",
  // programs that run programs
  "find . -delete", "find . -name x -exec rm {} \\;", "find . -execdir rm {} +", "ls | xargs -n 1 rm", "nice -n 5 rm -rf x", "timeout 10 rm -rf x",
  "timeout -s KILL 10s rm -rf x", "env -S 'rm -rf x'", "env -i PATH=/bin rm -rf x", "time rm -rf x", "time -p rm -rf x", "nohup rm -rf x &", "sudo rm -rf x",
  "command rm -rf x", "exec rm -rf x", "stdbuf -oL rm -rf x", "setsid rm -rf x", "watch -n 1 rm -rf x", "flock /tmp/lock rm -rf x", "flock /tmp/lock -c 'rm -rf x'",
  "busybox rm -rf x", "script -qc 'rm -rf x' /dev/null", "su -c 'rm -rf x' root", "ionice -c3 rm -rf x", "chrt -i 0 rm -rf x", "taskset 1 rm -rf x",
  // git: aliases and settings on the command line, global options, subcommands that run scripts
  "git -c alias.x='!rm -rf y' x", "git -c alias.p=push p origin main", "git -c alias.a=b -c alias.b=push a", "git -C . push origin main",
  "git --no-pager -c color.ui=false push", "git -c core.sshCommand='rm -rf x' fetch", "GIT_SSH_COMMAND='rm -rf x' git fetch", "git -c include.path=/tmp/evil status",
  "git submodule foreach 'rm -rf x'", "git rebase --exec 'rm -rf x' HEAD~1",
  // package managers: global options before the subcommand, runners
  "npm --prefix x publish", "npm -C x publish", "npm --workspace x publish", "npm -w pkg --tag next publish", "npm --unknown-option value publish", "npm exec -- rm -rf x", "npx rm -rf x",
];

test("every spelling of a denied command that the audit ran (and more) is denied or asked, never allowed", async () => {
  assert.ok(HOSTILE.length >= 40, `${HOSTILE.length} spellings`);
  const allowed: string[] = [];
  for (const line of HOSTILE) if ((await decideCommand(AUDIT_RULES, line)).action === "allow") allowed.push(line);
  assert.deepEqual(allowed, [], "allowed");
});

test("plain spellings are denied, not only asked, and the deny names the part that decided", async () => {
  for (const line of ["r''m -rf x", ">x rm -rf y", "sh <<< 'rm -rf x'", "f(){ rm \"$@\"; }; f x", "find . -delete", "ls | xargs -n 1 rm", "env -S 'rm -rf x'", "git -c alias.x='!rm -rf y' x", "npm --prefix x publish"]) {
    assert.equal((await decideCommand(AUDIT_RULES, line)).action, "deny", line);
  }
  assert.deepEqual(await decideCommand(AUDIT_RULES, "sh -c 'rm -rf x'"), { action: "deny", part: "rm -rf x", rule: { permission: "bash", pattern: "rm *", action: "deny" } });
  const unsure = await decideCommand(AUDIT_RULES, "echo rm -rf x | sh");
  assert.equal(unsure.action, "ask");
  assert.equal(unsure.part, "sh");
  assert.match(unsure.unsure ?? "", /reads its commands from a pipe/);
});

/** Commands agents run every day: the gate must not get in their way. */
const HARMLESS = [
  "npm test", "npm run publish-docs", "git status", "git -C sub status", "git log --oneline -5", "git -c user.name=x commit -m 'rm x'", "git diff HEAD~1 --stat",
  'echo "rm -rf x"', 'grep -r "rm" src', "ls | wc -l", "FOO=1 npm test", "cd sub && npm test", "node -e 'console.log(1)'", "python3 -c 'print(1)'",
  "npm test 2>&1 | tee out.log", "for f in *.ts; do echo $f; done", "find . -name '*.ts' -print", "xargs echo", "echo $HOME", "sh script.sh", "bash -c 'npm test'",
  "make -j2", "npx tsc --noEmit", "npm exec -- tsc", "command -v node", "test -f x && echo yes", "[ -d dist ] || npm run build", "echo 'a && b' & wait",
  "timeout 60 npm test", "env CI=1 npm test", "git -c color.ui=false status", "bash <<'EOF'\nnpm test\nEOF\n",
];

test("everyday commands stay allowed", async () => {
  const notAllowed: string[] = [];
  for (const line of HARMLESS) {
    const decided = await decideCommand(AUDIT_RULES, line);
    if (decided.action !== "allow") notAllowed.push(`${line} → ${decided.action} (${decided.part ?? ""}${decided.unsure ? `: ${decided.unsure}` : ""})`);
  }
  assert.deepEqual(notAllowed, []);
});

test("a nested shell's script is read as the shell reads it: quoted pieces joined", async () => {
  const rules = permissionRules({ bash: { "*": "allow", "cat /etc/hostname": "deny" } });
  assert.equal((await decideCommand(rules, "sh -c 'cat /etc/host''name'")).action, "deny");
  assert.equal((await decideCommand(rules, 'sh -c "cat /etc/host"name')).action, "deny");
  assert.equal((await decideCommand(rules, "sh -c 'unterminated")).action, "ask", "unreadable text is asked about");
  assert.equal((await decideCommand(rules, "cat /etc/host*")).action, "ask", "a glob may name the denied file");
});
