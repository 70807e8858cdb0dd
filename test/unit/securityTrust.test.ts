/** Every command is classified for Restricted Mode, and those that can start agents refuse to run there. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ALLOWED_UNTRUSTED, needsTrust, requireTrust, TRUSTED_ONLY } from "../../src/extension/trust";

const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { contributes: { commands: Array<{ command: string }> } };
const extensionSource = readFileSync(join(__dirname, "..", "..", "src", "extension", "extension.ts"), "utf8");

test("every contributed and registered command is classified once: trusted only, or safe untrusted", () => {
  const classified = [...TRUSTED_ONLY, ...ALLOWED_UNTRUSTED] as string[];
  assert.equal(new Set(classified).size, classified.length, "no command in both lists");
  const registered = [...extensionSource.matchAll(/\["(orchestrator\.[A-Za-z]+)",/g)].map((m) => m[1] as string);
  for (const command of new Set([...manifest.contributes.commands.map((c) => c.command), ...registered])) {
    assert.ok(classified.includes(command), `${command} is classified in src/extension/trust.ts`);
  }
});

test("Run Task, Resume, Retry, Skip and the reverts need trust; stopping and showing do not", () => {
  for (const command of ["orchestrator.runTask", "orchestrator.resume", "orchestrator.retryTodo", "orchestrator.skipTodo", "orchestrator.revertTodo", "orchestrator.revertMission", "orchestrator.undoRevert"]) assert.ok(needsTrust(command), command);
  for (const command of ["orchestrator.stop", "orchestrator.abortSession", "orchestrator.killJob", "orchestrator.openDashboard"]) assert.ok(!needsTrust(command), command);
});

test("a guarded handler runs only while the workspace is trusted, reading trust at each call", () => {
  let trusted = false;
  const ran: unknown[] = [];
  let refused = 0;
  const retry = requireTrust("orchestrator.retryTodo", (arg: string) => ran.push(arg), () => trusted, () => refused++);
  retry("todo:m:T1");
  assert.deepEqual(ran, []);
  assert.equal(refused, 1);
  trusted = true;
  retry("todo:m:T1");
  assert.deepEqual(ran, ["todo:m:T1"]);
  const stop = () => "stopped";
  assert.equal(requireTrust("orchestrator.stop", stop, () => false, () => refused++), stop, "an allowed command is not wrapped");
});
