/**
 * Which OpenCode the tests run: `OPENCODE_ENGINE=v1|v2` (default v1) picks the bundled binary of
 * that line everywhere a test starts OpenCode (isolation.ts's BUNDLED_OPENCODE and what is built on
 * it, the UI tests' `orchestrator.opencode.path`). `npm test` sets it per run (scripts/test.mjs).
 */
import { engineBinary, engineName, ENGINES, pinnedVersion } from "../../scripts/opencodeEngines.mjs";

export type EngineName = keyof typeof ENGINES;

/** The engine of this test process. A wrong value fails loudly: a typo must not quietly test v1. */
export const TEST_ENGINE: EngineName = engineName(process.env.OPENCODE_ENGINE || "v1") as EngineName;

/** The binary of `engine` from its own dev dependency (not node_modules/.bin/opencode: both packages claim that name). */
export const bundledOpencode = (engine: EngineName = TEST_ENGINE): string => engineBinary(engine);

/** The OpenCode version of `engine` that package.json pins (and CI checks the binary against). */
export const opencodeVersion = (engine: EngineName = TEST_ENGINE): string => pinnedVersion(engine);

/** "OpenCode 2 (2.1.2)": for test names and messages. */
export const engineLabel = (engine: EngineName = TEST_ENGINE): string => `${ENGINES[engine].label} (${opencodeVersion(engine)})`;

/**
 * Test options for a test that only makes sense on one engine: on the other it is skipped with the
 * reason in the runner's output, never silently. `test("…", onlyOn("v1", "v1's 400 quirk"), async () => …)`.
 */
export function onlyOn(engine: EngineName, reason: string): { skip?: string } {
  return TEST_ENGINE === engine ? {} : { skip: `only on ${ENGINES[engine].label}: ${reason}` };
}

/**
 * Failing answers to one request that outlast OpenCode's own retries once, so that the
 * orchestrator's recovery takes over: OpenCode 1 tries a request 5 times, OpenCode 2 11 times
 * (about 86 s at `retry-after: 1`). One more than that reaches the orchestrator's retry too.
 */
export const PAST_OPENCODE_RETRIES: Readonly<Record<EngineName, number>> = { v1: 6, v2: 12 };
