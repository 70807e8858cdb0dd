/** The log never shows a credential: registered secrets in every encoding, and anything shaped like one. */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { MissionHost, type HostNotice } from "../../src/orchestrator/host/missionHost";
import { memoryLogger, RedactingLogger } from "../../src/orchestrator/common/logger";

const logged = (log: RedactingLogger, inner: { lines: string[] }, message: string) => {
  log.info(message);
  return inner.lines.at(-1)?.replace(/^info: /, "");
};

test("Authorization headers lose their credentials, Basic and Bearer alike", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, "GET /session Authorization: Basic b3BlbmNvZGU6aHVudGVyMg== → 401"), "GET /session Authorization: Basic *** → 401");
  assert.equal(logged(log, inner, '{"headers":{"Authorization":"Bearer abc.def-123_xyz"}}'), '{"headers":{"Authorization":"Bearer ***"}}');
  assert.equal(logged(log, inner, "authorization=sk-live-0123456789"), "authorization=***");
  assert.equal(logged(log, inner, "retrying with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"), "retrying with Bearer ***");
  assert.equal(logged(log, inner, "Basic auth failed; Bearer tokens are not used here"), "Basic auth failed; Bearer tokens are not used here", "prose is left alone");
});

test("credential query values and URL user-info are redacted, other parameters kept", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, "connecting to http://127.0.0.1:4096/event?auth_token=abcdef123&directory=/w"), "connecting to http://127.0.0.1:4096/event?auth_token=***&directory=/w");
  assert.equal(logged(log, inner, "GET /mcp?x=1&token=zzz#frag"), "GET /mcp?x=1&token=***#frag");
  assert.equal(logged(log, inner, "fetch https://user:pa55@example.com/x failed"), "fetch https://user:***@example.com/x failed");
  assert.equal(logged(log, inner, "http://127.0.0.1:4096/session?directory=/w"), "http://127.0.0.1:4096/session?directory=/w");
});

test("an attached server's short password is redacted whatever its length, and in its encoded forms", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  log.addSecret("pw1");
  assert.equal(logged(log, inner, "attach with password pw1 failed"), "attach with password *** failed");
  assert.equal(logged(log, inner, "pw12 and xpw1 are other words"), "pw12 and xpw1 are other words");
  // The Basic credential of opencode:pw1, even without the header around it.
  const basic = Buffer.from("opencode:pw1").toString("base64");
  assert.equal(logged(log, inner, `sent ${basic}`), "sent ***");
  log.addSecret("p@ss word!");
  assert.equal(logged(log, inner, "url-encoded: p%40ss%20word! plain: p@ss word!"), "url-encoded: *** plain: ***");
  log.addSecret("x");
  assert.equal(logged(log, inner, "x marks a box"), "*** marks a box");
});

test("JSON credentials lose their values, escaped quotes and all; other fields stay", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, '{"access_token":"ya29.a0AfH6SMB","expires_in":3599,"token_type":"Bearer"}'), '{"access_token":"***","expires_in":3599,"token_type":"Bearer"}');
  for (const key of ["api_key", "apiKey", "password", "secret", "client_secret", "token", "refresh_token", "private_key", "cookie"]) {
    assert.equal(logged(log, inner, `{"${key}": "a\\"b\\\\c d"}`), `{"${key}": "***"}`, key);
  }
  assert.equal(logged(log, inner, '{"authorization":"Bearer ab\\"cd efgh"}'), '{"authorization":"Bearer ***"}');
  assert.equal(logged(log, inner, 'body: {\\"access_token\\":\\"ya29zzz\\"}'), 'body: {\\"access_token\\":\\"***\\"}', "JSON inside a JSON string");
  assert.equal(logged(log, inner, '{"tokens":{"input":12,"output":3},"title":"token usage"}'), '{"tokens":{"input":12,"output":3},"title":"token usage"}');
});

test("a registered secret is found JSON-escaped, URL- and form-encoded and base64'd", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  const secret = 'pa"ss\\wo/rd and more';
  log.addSecret(secret);
  const json = JSON.stringify({ pw: secret });
  assert.equal(logged(log, inner, `config ${json}`), 'config {"pw":"***"}');
  assert.equal(logged(log, inner, `escaped slash: ${JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/")}`), "escaped slash: ***");
  assert.equal(logged(log, inner, `form: ${encodeURIComponent(secret).replace(/%20/g, "+")}`), "form: ***");
  assert.equal(logged(log, inner, `b64: ${Buffer.from(secret).toString("base64")}`), "b64: ***");
});

test("API-key and token headers, cookies, env-style assignments and a letters-only Bearer token are redacted", () => {
  const inner = memoryLogger();
  const log = new RedactingLogger(inner);
  assert.equal(logged(log, inner, "x-api-key: sk-ant-api03-abc"), "x-api-key: ***");
  assert.equal(logged(log, inner, "headers: api-key: 0123abcd, accept: json"), "headers: api-key: ***, accept: json");
  assert.equal(logged(log, inner, "X-Auth-Token: abcdefghij"), "X-Auth-Token: ***");
  assert.equal(logged(log, inner, "Cookie: session=abc123; theme=dark"), "Cookie: ***");
  assert.equal(logged(log, inner, "set-cookie: sid=xyz; Path=/; HttpOnly"), "set-cookie: ***");
  assert.equal(logged(log, inner, "OPENAI_API_KEY=sk-proj-abc GITHUB_TOKEN=ghp_x PATH=/usr/bin"), "OPENAI_API_KEY=*** GITHUB_TOKEN=*** PATH=/usr/bin");
  assert.equal(logged(log, inner, "sent Bearer abcdefghijklmnop"), "sent Bearer ***");
  assert.equal(logged(log, inner, "Bearer authentication uses Bearer tokens"), "Bearer authentication uses Bearer tokens", "prose is left alone");
});

test("a mission that cannot start says why without the credential: in the views, the notification and the kept mission", async () => {
  const workspace = mkdtempSync(join(tmpdir(), "orch-redact-"));
  const inner = memoryLogger();
  const host = new MissionHost({ workspace, logger: new RedactingLogger(inner) });
  const notices: HostNotice[] = [];
  host.notices.on((n) => notices.push(n));
  try {
    const model = await host.run("Build it", { opencodePath: "", serverUrl: "http://opencode:hunter2secret@example.com:4096", model: undefined, demoMode: "never", models: {}, limits: {} });
    assert.match(model.error ?? "", /Refusing to attach to http:\/\/opencode:\*\*\*@example\.com:4096/);
    const error = notices.find((n) => n.kind === "error");
    assert.ok(error && error.kind === "error" && !error.message.includes("hunter2secret"), JSON.stringify(error));
    const kept = readdirSync(join(workspace, ".opencode", "orchestrator", "missions")).map((id) => readFileSync(join(workspace, ".opencode", "orchestrator", "missions", id, "mission.json"), "utf8"));
    assert.ok(kept.length === 1 && !kept[0]?.includes("hunter2secret"), "the kept mission's state holds no credential");
    assert.ok(inner.lines.every((l) => !l.includes("hunter2secret")));
  } finally {
    await host.dispose();
    rmSync(workspace, { recursive: true, force: true });
  }
});
