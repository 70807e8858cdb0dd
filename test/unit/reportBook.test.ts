/** What our tool server heard: reports by the session that made them, and whether every client that connected has listed its tools. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ReportBook } from "../../src/orchestrator/background/reportTool";

test("every client that shook hands has listed the tools only once as many listings as handshakes were answered", () => {
  const book = new ReportBook();
  assert.equal(book.everyClientListed(), true, "no client yet: nothing to wait for");
  book.answered("initialize");
  book.answered("notifications/initialized");
  assert.equal(book.everyClientListed(), false, "connected, tools not listed yet: what OpenCode 2 calls connected");
  book.answered("tools/list");
  assert.equal(book.everyClientListed(), true);
  book.answered("initialize");
  book.answered("tools/call");
  assert.equal(book.everyClientListed(), false, "a second server connected and has not listed");
  book.answered(undefined);
  book.answered("tools/list");
  assert.equal(book.everyClientListed(), true);
});

test("reports are kept by the session that made them, once any call named its session", () => {
  const book = new ReportBook();
  assert.equal(book.reportsOf("ses_1"), undefined, "no call named a session yet (OpenCode 1 never does)");
  book.record("ses_1", { status: "done" });
  assert.deepEqual(book.reportsOf("ses_1"), [{ status: "done" }]);
  assert.deepEqual(book.reportsOf("ses_2"), []);
});
