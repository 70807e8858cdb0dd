/** Which jobs start without a shell, and that those that do behave as through it. */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { scanCommandLine } from "../../src/orchestrator/agents/shellCommands";
import { shellParser } from "../../src/orchestrator/agents/shellSyntax";
import { literalOf } from "../../src/orchestrator/agents/shellWords";
import { directCommand } from "../../src/orchestrator/background/directCommand";
import { BackgroundJobManager } from "../../src/orchestrator/background/jobManager";
import { until } from "../support/processes";

const workspace = mkdtempSync(join(tmpdir(), "orch-direct-"));
after(() => rmSync(workspace, { recursive: true, force: true }));
const env = { PATH: "/usr/bin:/bin" };

test("plain words whose program is on PATH start directly; anything the shell reads itself does not", () => {
  const direct = (command: string, shell = "/bin/bash", e: NodeJS.ProcessEnv = env) => directCommand(command, shell, e, workspace);
  assert.deepEqual(direct("env -u HOME"), ["/usr/bin/env", "-u", "HOME"]);
  assert.deepEqual(direct("  test -s src/a.ts "), ["/usr/bin/test", "-s", "src/a.ts"]);
  assert.deepEqual(direct("/bin/true"), ["/bin/true"]);
  for (const command of ["npm test && echo ok", "grep -q 'x y' f", "echo $HOME", "ls *.ts", "cat < f", "FOO=1 env", "ls ~", "a;b", "cd src", "exit 3", "pwd", "echo hi", "test -v HOME", "test a == a", "no-such-program-anywhere", "ls\tx", "ls  x", "ls {a,b}"]) {
    assert.equal(direct(command), undefined, command);
  }
  assert.equal(direct("env", "/bin/zsh"), undefined, "zsh reads ~/.zshenv first");
  assert.equal(direct("env", "/bin/bash", { ...env, BASH_ENV: "/x" }), undefined, "bash reads BASH_ENV first");
  assert.deepEqual(direct("env", "/bin/sh"), ["/usr/bin/env"]);
  writeFileSync(join(workspace, "with-line.sh"), "#!/bin/sh\necho hi\n");
  writeFileSync(join(workspace, "without-line.sh"), "echo hi\n");
  for (const f of ["with-line.sh", "without-line.sh"]) chmodSync(join(workspace, f), 0o755);
  assert.deepEqual(direct("./with-line.sh"), [join(workspace, "with-line.sh")]);
  assert.equal(direct("./without-line.sh"), undefined, "a script with no #! line is the shell's to run");
});

test("a job started directly sees what it would through the shell, and the shell still runs what it must", async () => {
  const jobs = new BackgroundJobManager({ workspace });
  jobs.setShell("/bin/bash", { plain: true });
  const saved = process.env.SHLVL;
  process.env.SHLVL = "5";
  try {
    const run = async (command: string) => {
      const job = jobs.start(command);
      await until(() => job.endedAt !== undefined);
      return { code: job.exitCode, out: job.output.read() };
    };
    const direct = await run("env");
    assert.match(direct.out, /^SHLVL=5$/m, "no shell between: bash would have counted one more level");
    assert.match(direct.out, new RegExp(`^PWD=${workspace}$`, "m"), "PWD is the job's folder, as a shell sets it");
    assert.match((await run("env | grep SHLVL")).out, /^SHLVL=6$/m, "through the shell");
    assert.deepEqual(await run("test -d ."), { code: 0, out: "" });
    assert.deepEqual(await run("test -s no-such-file"), { code: 1, out: "" });
    const missing = await run("no-such-program-anywhere");
    assert.equal(missing.code, 127);
    assert.match(missing.out, /not found/, "the shell's own answer");
    assert.equal((await run("exit 3")).code, 3);
  } finally {
    if (saved === undefined) delete process.env.SHLVL;
    else process.env.SHLVL = saved;
    await jobs.dispose();
  }
});

test("a job started without a shell runs the very words the permission gate judged", async () => {
  const parser = await shellParser();
  const lines = ["env -u HOME", "test -s src/a.ts", "/bin/true", "git log --format=%H -n 1", "node --max-old-space-size=512 a.js", "grep -rn x@y:1,2 src/+a", "env A=1", "ls -- -x", "true if then", "git commit -m done"];
  let started = 0;
  for (const line of lines) {
    const argv = directCommand(line, "/bin/bash", env, workspace);
    if (!argv) continue;
    started++;
    const { commands } = scanCommandLine(parser, line);
    assert.equal(commands.length, 1, `${line}: one command`);
    const [judged] = commands;
    assert.equal(judged?.unsure, undefined, line);
    const words = literalOf(judged?.text ?? [])?.split(" ");
    assert.deepEqual(words?.slice(1), argv.slice(1), `${line}: the same arguments`);
    assert.equal(words?.[0]?.split("/").at(-1), argv[0]?.split("/").at(-1), `${line}: the same program`);
  }
  assert.ok(started >= 5, `${started} of the lines start without a shell`);
});
