// Flat config: typescript-eslint's recommended rules, and the layers of the house, enforced.
import js from "@eslint/js";
import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

/**
 * The layers, from the bottom up (docs/architecture.md draws them): a file may import its own
 * layer and any layer below it, never one above. The editor stands apart: it reaches the core only
 * through the front door and the shared contract, and the webviews only through the contract.
 */
const LAYERS = [
  ["shared", ["src/shared/**"]],
  ["foundation", ["src/orchestrator/common/**", "src/orchestrator/domain/**", "src/orchestrator/schedule/**", "src/orchestrator/workspace/**"]],
  ["agents", ["src/orchestrator/agents/**"]],
  ["planning", ["src/orchestrator/todo/**", "src/orchestrator/scriptedModel/**", "src/orchestrator/settings/**"]],
  ["process", ["src/orchestrator/process/**"]],
  ["engine", ["src/orchestrator/engine/**"]],
  ["services", ["src/orchestrator/background/**", "src/orchestrator/recovery/**", "src/orchestrator/changes/**"]],
  ["mission", ["src/orchestrator/mission/**"]],
  ["host", ["src/orchestrator/host/**"]],
];
const EDITOR = [
  ["extension", ["src/extension/**"]],
  ["webview", ["webview/**"]],
];
/** The core's front door: the one file of it the extension may import (it re-exports what the editor builds the host from). */
const FRONT_DOOR = { element: { type: "host", fileInternalPath: "missionHost.ts" } };
const policy = (type, allowed, ...also) => ({ from: { element: { type } }, allow: [{ to: { element: { types: { anyOf: allowed } } } }, ...also.map((to) => ({ to }))] });
const layerPolicies = [
  ...LAYERS.map(([type], i) => policy(type, LAYERS.slice(0, i + 1).map(([below]) => below))),
  policy("extension", ["extension", "shared"], FRONT_DOOR),
  policy("webview", ["webview", "shared"]),
];

const NO_VSCODE = { name: "vscode", message: "src/orchestrator is editor-free; add an interface and implement it in src/extension." };
const TEST_CODE = { group: ["**/test/**", "../../test/*", "../../../test/*"], message: "Product code never imports test code." };

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test-results/**", "scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,mjs}", "webview/**/*.ts"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": [...LAYERS, ...EDITOR].map(([type, patterns]) => ({ type, pattern: patterns, partialMatch: false })),
      "import/resolver": { node: { extensions: [".ts", ".mjs", ".js"] } },
    },
    rules: {
      // An import that runs back up a layer, or from the editor past the front door, fails lint.
      "boundaries/dependencies": ["error", { default: "disallow", policies: layerPolicies }],
      // Every source file is in a layer, and every local import reaches one: nothing stands outside the drawing.
      "boundaries/no-unknown-files": "error",
      "boundaries/no-unknown-dependencies": "error",
    },
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Product code never imports test code (the bundle would ship it).
    files: ["src/**/*.ts", "webview/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [TEST_CODE] }] },
  },
  {
    // The core runs in tests and benchmarks without an editor: it must never reach for VS Code,
    // nor for the extension that stands above it.
    files: ["src/orchestrator/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [NO_VSCODE], patterns: [TEST_CODE, { group: ["**/extension/**"], message: "The core never imports the VS Code layer above it." }] }] },
  },
  {
    // The domain model (state, transitions, schemas, events) stands below everything that uses it;
    // only the contract (src/shared: zod schemas and their wording, nothing of the core) is below it.
    files: ["src/orchestrator/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [NO_VSCODE], patterns: [TEST_CODE, { regex: "^\\.\\./(?!common/emitter$|common/disposable$|\\.\\./shared/[^/]+$)", message: "The domain model imports only itself, the contract (src/shared) and zod; move the shared type down into domain/." }] }],
    },
  },
  {
    // The extension reaches the core through its front door (host/missionHost.ts) and what it
    // publishes; it never builds the store nor talks to OpenCode's SDK itself.
    files: ["src/extension/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@opencode-ai/sdk", message: "Views reach OpenCode through the MissionHost." }, { name: "@opencode-ai/sdk/v2", message: "Views reach OpenCode through the MissionHost." }],
          patterns: [TEST_CODE, { group: ["**/orchestrator/mission/missionStore", "**/orchestrator/mission/commander", "**/orchestrator/engine/*"], message: "The extension reaches the core through the MissionHost (src/orchestrator/host/missionHost.ts)." }],
        },
      ],
    },
  },
  {
    files: ["scripts/**/*.mjs", "eslint.config.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    // The harness is plain CommonJS loaded by VS Code's extension host as it is.
    files: ["test/vscode/harness/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", exports: "writable", __dirname: "readonly", setTimeout: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
