/**
 * A text search over the workspace that never opens a secret file (agents/secretFiles.ts), for the
 * read-only chat. OpenCode's own grep (1.18.33) runs `rg --no-config --hidden …`: it searches
 * `.env` and its kind, honours no ripgrep config of ours, and a path it is given is searched
 * whatever the globs say; its permission pattern is the regex, not the path. So the chat gets this
 * search instead, served by our MCP server: ripgrep with the secret files excluded after the
 * model's own glob (the later glob wins), no link followed, and a named path that is a secret file,
 * or leads to one or out of the workspace, refused.
 */
import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isSecretFile, secretFileGlobs } from "../agents/secretFiles";
import { withoutSecrets } from "../process/secrets";
import { launcher } from "../process/launcher";

export interface SearchRequest {
  /** A ripgrep regular expression. */
  pattern: string;
  /** A folder or file of the workspace (relative to it, or absolute inside it); default the whole workspace. */
  path?: string;
  /** A glob the files must match, e.g. "*.ts". */
  include?: string;
}

const MAX_MATCHES = 100;
const MAX_LINE = 2_000;
const TIME_LIMIT_MS = 30_000;

/** ripgrep: on PATH, else the copy OpenCode downloads into its data folder when PATH has none. */
export function findRipgrep(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = process.platform === "win32" ? "rg.exe" : "rg";
  const dataHome = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  const candidates = [...(env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name)), join(dataHome, "opencode", "bin", name)];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export class WorkspaceSearch {
  private readonly root: string;

  constructor(workspace: string, private readonly ripgrep: () => string | undefined = () => findRipgrep()) {
    this.root = realpathSync(workspace);
  }

  /** The matches as the model reads them (path, then its matching lines), or why there are none. */
  async search(request: SearchRequest): Promise<string> {
    if (!request.pattern) return "A pattern is required.";
    const target = this.target(request.path);
    if (typeof target !== "string") return target.refused;
    const rg = this.ripgrep();
    if (!rg) return "Search is unavailable: ripgrep (rg) is not installed. Find files with glob and read them instead.";
    const args = ["--no-config", "--json", "--hidden", "--no-messages", "--max-columns=4000", ...(request.include ? [`--glob=${request.include}`] : []), "--glob=!**/.git/**", ...secretFileGlobs(), "--", request.pattern, target];
    const { matches, truncated, error } = await this.run(rg, args);
    if (error) return error;
    if (matches.length === 0) return "No matches found (secret files such as .env and keys are never searched).";
    const lines = [`Found ${matches.length} matches${truncated ? " (more matches available: narrow the path or the pattern)" : ""}`];
    let current = "";
    for (const m of matches) {
      if (m.path !== current) {
        if (current) lines.push("");
        current = m.path;
        lines.push(`${m.path}:`);
      }
      lines.push(`  Line ${m.line}: ${m.text}`);
    }
    return lines.join("\n");
  }

  /** The path to search, relative to the workspace ("." for all of it), or why it is refused. */
  private target(path: string | undefined): string | { refused: string } {
    if (!path || path === ".") return ".";
    const absolute = isAbsolute(path) ? path : resolve(this.root, path);
    if (isSecretFile(absolute)) return { refused: `${path} is a secret file (environment, key or credentials): it is never searched.` };
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      return { refused: `${path} does not exist in the workspace.` };
    }
    if (real !== this.root && !real.startsWith(this.root + sep)) return { refused: `${path} is outside the workspace: only the workspace is searched.` };
    if (isSecretFile(real)) return { refused: `${path} leads to a secret file (environment, key or credentials): it is never searched.` };
    return relative(this.root, real) || ".";
  }

  private run(rg: string, args: string[]): Promise<{ matches: Array<{ path: string; line: number; text: string }>; truncated: boolean; error?: string }> {
    return new Promise((done) => {
      const matches: Array<{ path: string; line: number; text: string }> = [];
      let truncated = false;
      let buffered = "";
      let stderr = "";
      let settled = false;
      const child = launcher.start(rg, args, { cwd: this.root, env: withoutSecrets(process.env) });
      const stop = () => {
        if (child.pid !== undefined) {
          try {
            process.kill(child.pid, "SIGKILL");
          } catch {
            // gone already
          }
        }
      };
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done({ matches, truncated, error });
      };
      const timer = setTimeout(() => {
        truncated = true;
        stop();
        finish();
      }, TIME_LIMIT_MS);
      const take = (line: string) => {
        if (!line || truncated) return;
        let record: { type?: string; data?: { path?: { text?: string }; line_number?: number; lines?: { text?: string } } };
        try {
          record = JSON.parse(line) as typeof record;
        } catch {
          return;
        }
        const path = record.data?.path?.text;
        if (record.type !== "match" || typeof path !== "string" || isSecretFile(path)) return;
        if (matches.length === MAX_MATCHES) {
          truncated = true;
          stop();
          return;
        }
        const text = (record.data?.lines?.text ?? "").replace(/\r?\n$/, "");
        matches.push({ path: path.replace(/^\.[\\/]/, ""), line: record.data?.line_number ?? 0, text: text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}...` : text });
      };
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) take(line);
      });
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2_000)));
      child.on("error", (error: Error) => finish(`Search could not run: ${error.message}`));
      child.on("close", (code: number | null) => {
        take(buffered);
        // 1: no match; 2: some files could not be read, or the pattern is not a valid regex.
        if (code === 2 && matches.length === 0 && /regex/i.test(stderr)) return finish(`The pattern is not a valid regular expression: ${stderr.trim()}`);
        finish();
      });
    });
  }
}
