// `npm run bench`: installs the npm dependencies on a fresh clone, then runs bench/run.ts with a
// forced-GC hook (the memory soak reads the heap after a GC).
import { spawnSync } from "node:child_process";
import { ensureNodeModules, repo } from "./bootstrap.mjs";

ensureNodeModules();
const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "bench/run.ts"], { cwd: repo, stdio: "inherit" });
process.exit(result.status ?? 1);
