/**
 * One spelling per workspace file, so that `src/./x.js`, `src/x.js`, `./src//x.js`, `src/a/../x.js`
 * and the absolute path name the same file — to the file locks above all, which let two TODOs run at
 * once only when their files differ. Letter case is folded where the file system folds it.
 */
import { isAbsolute, posix, relative } from "node:path";

const FOLDS_CASE = process.platform === "darwin" || process.platform === "win32";

export function workspacePath(file: string, workspace?: string, foldCase = FOLDS_CASE): string {
  let path = file.trim().replace(/\\/g, "/");
  if (workspace && isAbsolute(path)) path = relative(workspace, path).replace(/\\/g, "/");
  path = posix.normalize(path).replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (path === ".") path = "";
  return foldCase ? path.toLowerCase() : path;
}
