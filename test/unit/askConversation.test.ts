import assert from "node:assert/strict";
import { test } from "node:test";
import type * as vscode from "vscode";
import { loadConversation, saveConversation } from "../../src/extension/askConversation";

/** The workspace state, as VS Code's Memento keeps it (a JSON round trip). */
function memento(initial?: unknown): vscode.Memento {
  const values = new Map<string, string>();
  if (initial !== undefined) values.set("orchestrator.askConversation", JSON.stringify(initial));
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string) => (values.has(key) ? (JSON.parse(values.get(key) as string) as T) : undefined),
    update: async (key: string, value: unknown) => void values.set(key, JSON.stringify(value)),
  } as vscode.Memento;
}

const exchange = (i: number, state: "answering" | "done" = "done") => ({ question: `Q${i}`, answer: `A${i}`, files: [], state });

test("a conversation comes back as it was kept; an answer cut by the reload shows as stopped", async () => {
  const state = memento();
  await saveConversation(state, { sessionId: "ses_1", exchanges: [exchange(1), exchange(2, "answering")], read: [["/w/notes.md"], []] });
  const back = loadConversation(state);
  assert.equal(back.sessionId, "ses_1");
  assert.deepEqual(back.exchanges.map((e) => e.state), ["done", "stopped"]);
  assert.deepEqual(back.read, [["/w/notes.md"], []]);
});

test("only the newest exchanges are kept, their file lists with them; a long answer is cut", async () => {
  const state = memento();
  const many = Array.from({ length: 40 }, (_, i) => exchange(i));
  many[39] = { ...exchange(39), answer: "x".repeat(60_000) };
  await saveConversation(state, { exchanges: many, read: many.map((_, i) => [`/w/f${i}`]) });
  const back = loadConversation(state);
  assert.equal(back.exchanges.length, 30);
  assert.equal(back.exchanges[0]?.question, "Q10");
  assert.deepEqual(back.read[0], ["/w/f10"], "each answer keeps its own files");
  assert.match(back.exchanges[29]?.answer ?? "", /… \(cut: the answer was longer\)$/);
});

test("a value this version did not write starts a new conversation", () => {
  for (const bad of [null, 5, { exchanges: "x", read: [] }, { exchanges: [exchange(1)], read: [] }, { exchanges: [{ question: 1 }], read: [[]] }]) {
    assert.deepEqual(loadConversation(memento(bad)), { exchanges: [], read: [] }, JSON.stringify(bad));
  }
});
