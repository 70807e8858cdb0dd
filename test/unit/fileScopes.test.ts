/** File scopes: who may write what, who waits for whom, and how a cycle of waits is broken. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FileScopes, type ScopeAnswer } from "../../src/orchestrator/mission/fileScopes";
import { FileLocks } from "../../src/orchestrator/todo/fileLocks";

const WS = "/ws";
const scopesWith = (held: Record<string, string[]>) => {
  const locks = new FileLocks(WS);
  for (const [todo, files] of Object.entries(held)) assert.ok(locks.tryAcquire(todo, files));
  return { locks, scopes: new FileScopes(locks, WS, (id) => `title of ${id}`) };
};
/** Whether a promise has settled yet (microtasks only: no timers). */
async function settled(p: Promise<ScopeAnswer>): Promise<ScopeAnswer | "pending"> {
  return Promise.race([p, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

test("a Worker's session allows its own files (normalised, wildcards made literal), asks for the rest, never writes the orchestrator's state", () => {
  const { scopes } = scopesWith({});
  assert.deepEqual(scopes.rulesFor(["./src//a.ts", "/ws/src/a.ts", "docs/*.md", "../outside.txt"]), [
    { permission: "edit", pattern: "*", action: "ask" },
    { permission: "edit", pattern: "src/a.ts", action: "allow" },
    { permission: "edit", pattern: "docs/?.md", action: "allow" },
    { permission: "edit", pattern: ".opencode/orchestrator/*", action: "deny" },
  ]);
});

test("a free file joins the asking TODO's scope at once; a file outside the workspace is refused", async () => {
  const { scopes, locks } = scopesWith({ A: ["a.ts"] });
  assert.deepEqual(await scopes.decide("A", ["./lib/../b.ts"]), { reply: "once" });
  assert.equal(locks.holderOf("b.ts"), "A");
  assert.deepEqual(await scopes.decide("A", ["a.ts"]), { reply: "once" }, "its own file");
  const outside = await scopes.decide("A", ["../../etc/passwd"]);
  assert.equal(outside.reply, "reject");
});

test("a held file waits for its holder; waiters go ahead in the order they asked, all of their files or none", async () => {
  const { scopes, locks } = scopesWith({ H: ["shared.ts"], B: ["b.ts"], C: ["c.ts"] });
  const b = scopes.decide("B", ["shared.ts"]);
  const c = scopes.decide("C", ["shared.ts", "c2.ts"]);
  assert.equal(await settled(b), "pending");
  assert.equal(scopes.waiting, 2);
  scopes.release("H");
  assert.deepEqual(await b, { reply: "once" });
  assert.equal(await settled(c), "pending", "B got it first; C still waits, and took none of its files");
  assert.equal(locks.holderOf("c2.ts"), undefined);
  scopes.release("B");
  assert.deepEqual(await c, { reply: "once" });
  assert.equal(locks.holderOf("c2.ts"), "C");
});

test("a wait that would close a cycle is refused at once, naming the holder; a longer cycle too", async () => {
  const { scopes } = scopesWith({ A: ["a.ts"], B: ["b.ts"], C: ["c.ts"] });
  const aWaits = scopes.decide("A", ["b.ts"]);
  const bWaits = scopes.decide("B", ["c.ts"]);
  const refused = await scopes.decide("C", ["a.ts"]);
  assert.equal(refused.reply, "reject");
  assert.match(refused.reply === "reject" ? refused.message : "", /^a\.ts is being changed by TODO A \(title of A\), which waits for a file your TODO holds\./);
  scopes.release("C");
  assert.deepEqual(await bWaits, { reply: "once" });
  scopes.release("B");
  assert.deepEqual(await aWaits, { reply: "once" });
});

test("a stopped mission or an ended turn answers its waits: nobody waits forever", async () => {
  const { scopes } = scopesWith({ H: ["x.ts"], W: ["w.ts"] });
  const stop = new AbortController();
  const stopped = scopes.decide("W", ["x.ts"], stop.signal);
  stop.abort();
  assert.equal((await stopped).reply, "reject");
  const ended = scopes.decide("W", ["x.ts"]);
  scopes.release("W");
  assert.equal((await ended).reply, "reject");
  assert.equal(scopes.waiting, 0);
});
