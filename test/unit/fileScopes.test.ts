/** File scopes: who may write what, who waits for whom, and how a cycle of waits is broken. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { permissionRules } from "../../src/orchestrator/agents/commandPolicy";
import { FileScopes, type ScopeAnswer, type ScopeOptions } from "../../src/orchestrator/mission/fileScopes";
import { FileLocks } from "../../src/orchestrator/todo/fileLocks";

const WS = "/ws";
const scopesWith = (held: Record<string, string[]>, options: Partial<ScopeOptions> = {}) => {
  const locks = new FileLocks(WS);
  for (const [todo, files] of Object.entries(held)) assert.ok(locks.tryAcquire(todo, files));
  return { locks, scopes: new FileScopes(locks, { workspace: WS, titleOf: (id) => `title of ${id}`, ...options }) };
};
/** The Commander's answer (an ask it leaves to the user fails the test). */
const ours = (p: Promise<ScopeAnswer> | undefined): Promise<ScopeAnswer> => {
  assert.ok(p, "the Commander answers this one");
  return p;
};
/** Whether a promise has settled yet (microtasks only: no timers). */
async function settled(p: Promise<ScopeAnswer> | undefined): Promise<ScopeAnswer | "pending"> {
  return Promise.race([ours(p), new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}
const message = (a: ScopeAnswer | "pending") => (a !== "pending" && a.reply === "reject" ? a.message : "");

test("a Worker's session allows its own files (normalised, wildcards made literal), asks for the rest, never writes the orchestrator's state", () => {
  const { scopes } = scopesWith({});
  assert.deepEqual(scopes.rulesFor(["./src//a.ts", "/ws/src/a.ts", "docs/*.md", "../outside.txt", ".vscode/settings.json"]), [
    { permission: "edit", pattern: "*", action: "ask" },
    { permission: "edit", pattern: "src/a.ts", action: "allow" },
    { permission: "edit", pattern: "docs/?.md", action: "allow" },
    { permission: "edit", pattern: ".opencode/orchestrator/*", action: "deny" },
  ]);
});

test("a workspace inside a bigger git repository (or outside git): asks name files from OpenCode's worktree, and the rules are written that way", async () => {
  const { scopes, locks } = scopesWith({ A: ["x.txt"] }, { worktree: "/" });
  assert.deepEqual(scopes.rulesFor(["x.txt"]).map((r) => r.pattern), ["*", "ws/x.txt", "ws/.opencode/orchestrator/*"]);
  // B asks for x.txt as OpenCode names it from the worktree: the same file A holds, so it waits.
  assert.equal(await settled(scopes.decide("B", ["ws/x.txt"])), "pending");
  assert.deepEqual(await settled(scopes.decide("B", ["etc/passwd"])), { reply: "once" }, "outside the workspace: the user's external_directory answer stands, and /etc/passwd is not taken for a workspace file");
  assert.equal(locks.holderOf("../etc/passwd"), undefined, "no lock outside the workspace");
  assert.match(message(await settled(scopes.decide("B", ["ws/.opencode/orchestrator/m/mission.json"]))), /orchestrator's own state/);
  assert.equal(locks.holderOf("x.txt"), "A");
});

test("the user's own rules win: a file they deny is refused, one they ask about is theirs to answer; files that configure the tools are the user's too", async () => {
  const rules = permissionRules({ edit: { "*": "allow", "*.env": "deny", "secrets/*": "ask" } });
  const { scopes } = scopesWith({}, { rules });
  assert.deepEqual(scopes.rulesFor(["app.ts", ".env", "secrets/key.pem"]).map((r) => r.pattern), ["*", "app.ts", ".opencode/orchestrator/*"], "no allow of ours over the user's deny or ask");
  assert.match(message(await settled(scopes.decide("A", [".env"]))), /The user's permission rules forbid writing \.env/);
  assert.equal(scopes.decide("A", ["secrets/key.pem"]), undefined, "the user decides");
  for (const f of [".git/hooks/pre-commit", ".opencode/plugin/x.ts", ".vscode/settings.json", "opencode.json"]) assert.equal(scopes.decide("A", [f]), undefined, `${f} is the user's to allow`);
});

test("a free file joins the asking TODO's scope at once; outside the workspace the user's own answer (external_directory) stands", async () => {
  const { scopes, locks } = scopesWith({ A: ["a.ts"] });
  assert.deepEqual(await ours(scopes.decide("A", ["./lib/../b.ts"])), { reply: "once" });
  assert.equal(locks.holderOf("b.ts"), "A");
  assert.deepEqual(await ours(scopes.decide("A", ["a.ts"])), { reply: "once" }, "its own file");
  assert.equal((await ours(scopes.decide("A", ["../../etc/passwd"]))).reply, "once");
});

test("a held file waits for its holder; waiters go ahead in the order they asked, all of their files or none", async () => {
  const { scopes, locks } = scopesWith({ H: ["shared.ts"], B: ["b.ts"], C: ["c.ts"] });
  const b = scopes.decide("B", ["shared.ts"]);
  const c = scopes.decide("C", ["shared.ts", "c2.ts"]);
  assert.equal(await settled(b), "pending");
  assert.equal(scopes.waiting, 2);
  scopes.release("H");
  assert.deepEqual(await ours(b), { reply: "once" });
  assert.equal(await settled(c), "pending", "B got it first; C still waits, and took none of its files");
  assert.equal(locks.holderOf("c2.ts"), undefined);
  scopes.release("B");
  assert.deepEqual(await ours(c), { reply: "once" });
  assert.equal(locks.holderOf("c2.ts"), "C");
});

test("a wait that would close a cycle is refused at once, naming the holder; a longer cycle too", async () => {
  const { scopes } = scopesWith({ A: ["a.ts"], B: ["b.ts"], C: ["c.ts"] });
  const aWaits = scopes.decide("A", ["b.ts"]);
  const bWaits = scopes.decide("B", ["c.ts"]);
  const refused = await ours(scopes.decide("C", ["a.ts"]));
  assert.match(message(refused), /^a\.ts is being changed by TODO A \(title of A\), which waits for a file your TODO holds\./);
  scopes.release("C");
  assert.deepEqual(await ours(bWaits), { reply: "once" });
  scopes.release("B");
  assert.deepEqual(await ours(aWaits), { reply: "once" });
});

test("cycles closed without a new wait are broken too: by a grant to a TODO that waits elsewhere, and by a hand-over", async () => {
  // (a) B waits on D (for d.txt and the free f2.txt); A waits on B's b.txt; then A is granted f2.txt: A ⇄ B.
  {
    const { scopes } = scopesWith({ A: ["a.txt"], B: ["b.txt"], D: ["d.txt"] });
    const bWaits = scopes.decide("B", ["d.txt", "f2.txt"]);
    const aWaits = scopes.decide("A", ["b.txt"]);
    assert.deepEqual(await ours(scopes.decide("A", ["f2.txt"])), { reply: "once" });
    const answers = await Promise.all([settled(bWaits), settled(aWaits)]);
    assert.equal(answers.filter((a) => a !== "pending" && a.reply === "reject").length, 1, "one of the two waits was refused");
    assert.equal(scopes.waiting, 1);
  }
  // (b) A and B wait on C's c.txt, A also on B's b.txt; C ends and hands c.txt to A: A ⇄ B.
  {
    const { scopes } = scopesWith({ A: ["a.txt"], B: ["b.txt"], C: ["c.txt"] });
    const aWaits = scopes.decide("A", ["c.txt", "b.txt"]);
    const bWaits = scopes.decide("B", ["c.txt", "a.txt"]);
    assert.equal(await settled(aWaits), "pending");
    scopes.release("C");
    const answers = await Promise.all([settled(aWaits), settled(bWaits)]);
    assert.ok(answers.some((a) => a !== "pending"), `no cycle left waiting: ${JSON.stringify(answers)}`);
  }
});

test("a stopped mission, an ended turn, an ended session or a wait past its limit answers the wait: nobody waits forever", async (t) => {
  const { scopes } = scopesWith({ H: ["x.ts"], W: ["w.ts"] });
  const stop = new AbortController();
  const stopped = scopes.decide("W", ["x.ts"], stop.signal);
  stop.abort();
  assert.equal((await ours(stopped)).reply, "reject");
  const ended = scopes.decide("W", ["x.ts"]);
  scopes.release("W");
  assert.equal((await ours(ended)).reply, "reject");
  const ofSession = scopes.decide("W", ["x.ts"], undefined, "ses_1");
  scopes.sessionEnded("ses_1");
  assert.equal((await ours(ofSession)).reply, "reject", "a retried attempt's old wait is dropped");
  assert.equal(scopes.waiting, 0);

  t.mock.timers.enable({ apis: ["setTimeout"] });
  const bounded = scopesWith({ H: ["x.ts"] }, { maxWaitMs: 60_000 }).scopes;
  const long = bounded.decide("W", ["x.ts"]);
  t.mock.timers.tick(60_000);
  assert.match(message(await ours(long)), /^x\.ts is still being changed by TODO H \(title of H\)/);
});

test("a holder sent back for another attempt keeps its files: the writes waiting on them are refused (it will change them again), and so is a new one", async () => {
  const sent = new Set<string>();
  const { scopes, locks } = scopesWith({ A: ["shared.ts"], B: ["b.ts"] }, { sentBack: (id) => sent.has(id) });
  const waiting = scopes.decide("B", ["shared.ts"], undefined, "ses_b");
  assert.equal(await settled(waiting), "pending");
  assert.deepEqual(scopes.waits(), [{ todoId: "B", sessionId: "ses_b", holders: ["A"] }], "who waits, in which session, for whom");
  sent.add("A");
  scopes.sentBack("A");
  const refusal = /^shared\.ts belongs to TODO A \(title of A\), which was sent back and will change it again\. Leave shared\.ts alone/;
  assert.match(message(await ours(waiting)), refusal);
  assert.match(message(await settled(scopes.decide("B", ["shared.ts"]))), refusal, "asked while A waits for its next attempt");
  assert.equal(locks.holderOf("shared.ts"), "A", "A keeps its file for its next attempt");
  assert.deepEqual(await ours(scopes.decide("A", ["shared.ts", "a2.ts"])), { reply: "once" }, "its own file is still its own");
  assert.equal(scopes.waiting, 0);
});
