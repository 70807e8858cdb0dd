// Flat config: typescript-eslint's recommended rules plus the one boundary this project must keep.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test-results/**", "scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The core runs in tests and benchmarks without an editor: it must never reach for VS Code.
    files: ["src/orchestrator/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "src/orchestrator is editor-free; add an interface and implement it in src/extension." }] }] },
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
