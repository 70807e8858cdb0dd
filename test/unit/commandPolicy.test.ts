/** OpenCode's permission rules applied to the commands the orchestrator runs itself. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideCommand, permissionRules, splitCommand, wildcardMatch } from "../../src/orchestrator/agents/commandPolicy";
import { headlessPermissionPolicy } from "../../src/orchestrator/agents/permissions";

test("OpenCode's wildcard: * and ?, and 'cmd *' matches the bare command too", () => {
  assert.ok(wildcardMatch("git status", "git *"));
  assert.ok(wildcardMatch("git", "git *"));
  assert.ok(!wildcardMatch("gitk", "git *"));
  assert.ok(wildcardMatch("rm -rf a.b", "rm ?rf *"));
  assert.ok(!wildcardMatch("xrm", "rm*"));
});

test("a compound command is split into its simple commands; what only a shell can resolve is not", () => {
  assert.deepEqual(splitCommand("npm ci && npm test | tee log; echo 'a && b' & wait"), ["npm ci", "npm test", "tee log", "echo 'a && b'", "wait"]);
  assert.deepEqual(splitCommand('echo "x; y" \\; z'), ['echo "x; y" \\; z']);
  assert.deepEqual(splitCommand("npm test 2>&1 | tee log &> all.log |& cat"), ["npm test 2>&1", "tee log &> all.log", "cat"], "redirections are not separators");
  assert.equal(splitCommand("echo $(cat /etc/hostname)"), undefined);
  assert.equal(splitCommand('echo "`id`"'), undefined);
  assert.equal(splitCommand("diff <(ls a) <(ls b)"), undefined);
  assert.equal(splitCommand("echo 'unterminated"), undefined);
});

test("the configuration's rules, last match wins, the strictest part decides", () => {
  const rules = permissionRules({ ...headlessPermissionPolicy(), bash: { "*": "allow", "rm *": "deny", "git push*": "ask" } });
  assert.equal(decideCommand(rules, "npm test").action, "allow");
  assert.deepEqual(decideCommand(rules, "npm test && rm -rf build"), { action: "deny", part: "rm -rf build", rule: { permission: "bash", pattern: "rm *", action: "deny" } });
  assert.equal(decideCommand(rules, "git commit -am x; git push origin main").action, "ask");
  // Unreadable text is asked about unless every command is allowed.
  assert.equal(decideCommand(rules, "echo $(rm -rf /)").action, "ask");
  assert.equal(decideCommand(permissionRules(headlessPermissionPolicy()), "echo $(date)").action, "allow", "the default policy allows every command");
  assert.equal(decideCommand(permissionRules({ bash: "deny" }), "ls").action, "deny");
  assert.equal(decideCommand(permissionRules("ask"), "ls").action, "ask");
  assert.equal(decideCommand([], "ls").action, "ask", "no rule at all: OpenCode asks");
  assert.equal(decideCommand(permissionRules(undefined), "ls").action, "allow", "no configuration: OpenCode's defaults allow commands");
});

test("the command behind assignments, blocks and wrappers is what the rules judge", () => {
  const rules = permissionRules({ bash: { "*": "allow", "rm *": "deny", "git push*": "ask" } });
  for (const line of ["FOO=1 rm -rf x", "{ rm -rf x; }", "if true; then rm -rf x; fi", "for f in a b; do rm $f; done", "command rm x", "nohup rm x", "env A=1 rm x", "xargs -0 rm", "\\rm x", "'rm' x", "/bin/rm x", "timeout 10 rm x", "true && (rm x)"]) {
    assert.equal(decideCommand(rules, line).action, "deny", line);
  }
  assert.equal(decideCommand(rules, "$CMD x").action, "ask", "a command from a variable is unknowable");
  assert.equal(decideCommand(rules, "npm test 2>&1 | tee out.log").action, "allow");
});

test("git's global options and nested shells do not hide a command from its rule", () => {
  const rules = permissionRules({ bash: { "*": "allow", "rm *": "deny", "git push*": "ask" } });
  for (const line of ["git -C . push origin main", "git --no-pager -c user.name=x push", "git --git-dir=.git --work-tree . push"]) assert.equal(decideCommand(rules, line).action, "ask", line);
  assert.equal(decideCommand(rules, "git -C sub commit -m x").action, "allow", "another subcommand stays allowed");
  assert.deepEqual(decideCommand(rules, "sh -c 'rm -rf x'"), { action: "deny", part: "rm -rf x", rule: { permission: "bash", pattern: "rm *", action: "deny" } });
  assert.equal(decideCommand(rules, 'bash -lc "npm test && git push"').action, "ask");
  assert.equal(decideCommand(rules, "sh -c 'sh -c \"rm x\"'").action, "deny", "a shell inside a shell");
  assert.equal(decideCommand(rules, "sh -c 'echo hi'").action, "allow");
  assert.equal(decideCommand(rules, "sh script.sh").action, "allow", "a script file's contents are not seen (documented)");
});

test("a nested shell's script is read as the shell reads it: quoted pieces joined", () => {
  const rules = permissionRules({ bash: { "*": "allow", "cat /etc/hostname": "deny" } });
  assert.equal(decideCommand(rules, "sh -c 'cat /etc/host''name'").action, "deny");
  assert.equal(decideCommand(rules, 'sh -c "cat /etc/host"name').action, "deny");
  assert.equal(decideCommand(rules, "sh -c 'unterminated").action, "ask", "unreadable text is asked about");
});
