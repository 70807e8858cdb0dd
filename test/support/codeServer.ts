/**
 * Real VS Code in a real browser: code-server (VS Code 1.139 served to a browser, with the normal
 * Node extension host) with our packaged VSIX installed, driven by playwright-core in Debian's
 * headless Chromium. Everything lives in a sandbox and is stopped by process group.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { stopProcessGroup } from "../../src/orchestrator/process/processGroup";
import { BUNDLED_OPENCODE, REPO_ROOT, type Sandbox } from "./isolation";
import { describeProcess, killGroup, processesWithCwd } from "./processes";

export const VSIX = join(REPO_ROOT, "dist", "opencode-orchestrator.vsix");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Tools {
  node24Bin: string;
  codeServer: string;
}

/** Paths of Node 24 and code-server, installing them into the cache on first use. */
export function codeServerTools(): Tools {
  const result = spawnSync("bash", [join(REPO_ROOT, "scripts", "install-code-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) throw new Error("installing code-server failed");
  const value = (key: string) => {
    const line = result.stdout.split("\n").find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`install-code-server.sh printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { node24Bin: value("NODE24_BIN"), codeServer: value("CODE_SERVER") };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Copies unpacked extensions in and lists them in extensions.json, which VS Code loads from. */
function addUnpackedExtensions(extensionsDir: string, extras: NonNullable<VsCodeOptions["extraExtensions"]>): void {
  const manifest = join(extensionsDir, "extensions.json");
  const entries = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as unknown[]) : [];
  for (const extra of extras) {
    const relative = `${extra.id}-${extra.version}`;
    const target = join(extensionsDir, relative);
    cpSync(extra.dir, target, { recursive: true });
    entries.push({ identifier: { id: extra.id }, version: extra.version, location: { $mid: 1, path: target, scheme: "file" }, relativeLocation: relative, metadata: { source: "resource" } });
  }
  writeFileSync(manifest, JSON.stringify(entries));
}

export interface VsCodeSession {
  page: Page;
  browser: Browser;
  url: string;
  /** Reloads the window (the extension host restarts). */
  reload(): Promise<void>;
  screenshot(name: string): Promise<string>;
  /** Runs `body`; if it throws, saves `<name>-failure.png` first so a failed run shows what the page looked like. */
  screenshotOnFailure<T>(name: string, body: () => Promise<T>): Promise<T>;
  /** Closes the browser and stops code-server gracefully; returns the processes left in the workspace. */
  close(): Promise<string[]>;
}

export interface VsCodeOptions {
  sandbox: Sandbox;
  /** Unpacked extensions to install beside the VSIX: folder → `publisher.name` id. */
  extraExtensions?: Array<{ dir: string; id: string; version: string }>;
  settings?: Record<string, unknown>;
  artifacts: string;
  /** Open the workspace untrusted (Restricted Mode) instead of with workspace trust disabled. */
  untrusted?: boolean;
  /** Leave the project's opencode off PATH: the extension finds no OpenCode, as on a fresh machine. */
  withoutOpencode?: boolean;
}

export async function openVsCode(options: VsCodeOptions): Promise<VsCodeSession> {
  const { sandbox } = options;
  const tools = codeServerTools();
  const userData = join(sandbox.root, "vscode-user");
  const extensions = join(sandbox.root, "vscode-extensions");
  mkdirSync(options.artifacts, { recursive: true });
  const settings = JSON.stringify({
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "chat.disableAIFeatures": true,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "security.workspace.trust.enabled": options.untrusted === true,
    // Untrusted without a dialog: the folder opens in Restricted Mode.
    "security.workspace.trust.startupPrompt": "never",
    "remote.autoForwardPorts": false,
    // Run Task's model pick has a test of its own (aroundMission.test.ts); elsewhere it would stand in the way.
    "orchestrator.pickModel": "never",
    ...options.settings,
  }, null, 2);
  // Machine-scoped settings (like orchestrator.opencode.path) are read from Machine/ in a remote window.
  for (const scope of ["User", "Machine"]) {
    mkdirSync(join(userData, scope), { recursive: true });
    writeFileSync(join(userData, scope, "settings.json"), settings);
  }

  // The engine under test as `opencode` on PATH (node_modules/.bin/opencode may be either engine's: both packages claim the name).
  const opencodeDir = join(sandbox.root, "opencode-bin");
  if (!options.withoutOpencode && !existsSync(opencodeDir)) {
    mkdirSync(opencodeDir);
    symlinkSync(BUNDLED_OPENCODE, join(opencodeDir, "opencode"));
  }
  const env: NodeJS.ProcessEnv = {
    ...sandbox.env,
    // Node 24 for code-server; the project's opencode on PATH for the extension (the VSIX has no node_modules).
    PATH: [tools.node24Bin, ...(options.withoutOpencode ? [] : [opencodeDir]), sandbox.env.PATH ?? ""].join(":"),
  };
  const install = spawnSync(tools.codeServer, ["--extensions-dir", extensions, "--user-data-dir", userData, "--install-extension", VSIX], { env, encoding: "utf8" });
  if (install.status !== 0) throw new Error(`installing the VSIX failed: ${install.stderr}${install.stdout}`);

  if (options.extraExtensions?.length) addUnpackedExtensions(extensions, options.extraExtensions);

  const port = await freePort();
  const server: ChildProcess = spawn(tools.codeServer, [
    "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check",
    ...(options.untrusted ? [] : ["--disable-workspace-trust"]), "--disable-getting-started-override", "--extensions-dir", extensions, "--user-data-dir", userData, sandbox.workspace,
  ], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  server.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const pgid = server.pid as number;
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(sandbox.workspace)}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 300 || server.exitCode !== null) {
      killGroup(pgid);
      throw new Error(`code-server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  const screenshot = async (name: string) => {
    const file = join(options.artifacts, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };

  return {
    page,
    browser,
    url,
    async reload() {
      // "Developer: Reload Window", as a user does: the workbench saves its state (open editors,
      // webview state) before it reloads, which a bare page reload does not wait for.
      const navigated = page.waitForNavigation({ timeout: 60_000 });
      await page.keyboard.press("F1");
      await page.locator(".quick-input-widget input").fill(">Developer: Reload Window");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "Developer: Reload Window" }).first().waitFor();
      await page.keyboard.press("Enter");
      await navigated;
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    },
    screenshot,
    async screenshotOnFailure(name, body) {
      try {
        return await body();
      } catch (error) {
        // The test's own error is the one to report, not a screenshot that could not be taken.
        await screenshot(`${name}-failure`).catch(() => undefined);
        throw error;
      }
    },
    async close() {
      await browser.close().catch(() => undefined);
      // Graceful first: code-server shuts its extension hosts down, which deactivates the extension.
      try {
        process.kill(pgid, "SIGTERM");
      } catch {
        // gone
      }
      for (let i = 0; i < 100 && server.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      await stopProcessGroup(pgid, 2000);
      for (let i = 0; i < 40 && processesWithCwd(sandbox.workspace).length; i++) await new Promise((r) => setTimeout(r, 50));
      const left = processesWithCwd(sandbox.workspace).map((pid) => `${pid} ${describeProcess(pid)}`);
      for (const entry of left) killGroup(Number(entry.split(" ")[0]));
      return left;
    },
  };
}
