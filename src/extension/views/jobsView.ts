/**
 * The Background Jobs view: every job the agents started, with its status; click opens a terminal
 * that shows its output live; Kill ends it with its whole process tree.
 */
import * as vscode from "vscode";
import type { MissionHost } from "../../orchestrator/host/missionHost";
import type { JobStatus } from "../../shared/job";
import { commandOutcome } from "../../shared/outcome";
import { Coalescer } from "../viewModels/coalescer";
import { COMMANDS } from "../../shared/commands";
import { Disposable } from "../lifecycle";

const ICON: Record<JobStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon("sync~spin"),
  exited: new vscode.ThemeIcon("check"),
  killed: new vscode.ThemeIcon("debug-stop"),
  "timed-out": new vscode.ThemeIcon("watch", new vscode.ThemeColor("testing.iconFailed")),
  failed: new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed")),
};

export class JobsProvider extends Disposable implements vscode.TreeDataProvider<string> {
  private readonly changed = this._register(new vscode.EventEmitter<string[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private known = 0;
  private readonly refresh = this._register(new Coalescer<string>((ids) => this.changed.fire(ids === "all" ? undefined : [...ids]), 300));

  constructor(private readonly host: MissionHost) {
    super();
    this._register(
      host.view.updates.on((update) => {
        if (update.jobIds.length === 0) return;
        if (host.view.jobs.length !== this.known) this.refresh.markAll();
        else for (const id of update.jobIds) this.refresh.mark(id);
      }),
    );
  }

  getTreeItem(id: string): vscode.TreeItem {
    const job = this.host.view.job(id);
    if (!job) return new vscode.TreeItem(id);
    const item = new vscode.TreeItem(`${job.id} · ${job.command}`);
    item.id = job.id;
    const seconds = Math.round(((job.endedAt ?? Date.now()) - job.startedAt) / 1000);
    const owner = job.owner ? ` · ${job.owner.role === "worker" ? job.owner.todoIds.join(", ") : job.owner.role}` : "";
    item.description = `${commandOutcome(job.status, job.exitCode)} · ${seconds}s${owner}`;
    const startedBy = job.owner && (job.owner.todoIds.length ? vscode.l10n.t("Started by the {0} for {1} of mission {2}", job.owner.role, job.owner.todoIds.join(", "), job.owner.missionId) : vscode.l10n.t("Started by the {0} of mission {1}", job.owner.role, job.owner.missionId));
    const output = vscode.l10n.t("{0} characters of output · log: {1}", job.outputChars.toLocaleString("en"), job.logFile);
    item.tooltip = [job.command, job.reason ? vscode.l10n.t("Failed: {0}", job.reason) : "", startedBy ?? "", job.pid > 0 ? `${output} · pid ${job.pid}` : output].filter(Boolean).join("\n");
    item.iconPath = ICON[job.status];
    item.contextValue = `orchestrator:job+${job.status}`;
    item.command = { command: COMMANDS.showJob, title: vscode.l10n.t("Show Output"), arguments: [job.id] };
    return item;
  }

  getChildren(id?: string): string[] {
    if (id) return [];
    const list = this.host.view.jobs;
    this.known = list.length;
    return list.map((j) => j.id);
  }
}

/** A terminal that shows a job's output: what it has so far, then live. */
export function showJobTerminal(host: MissionHost, id: string): void {
  const job = host.view.job(id);
  if (!job) return;
  const write = new vscode.EventEmitter<string>();
  let written = 0;
  let ended = job.status !== "running";
  let sub: { dispose(): void } | undefined;
  const flush = () => {
    const output = host.jobOutput(id, written);
    if (!output) return;
    if (output.text) write.fire(output.text.replace(/\r?\n/g, "\r\n"));
    written = output.total;
  };
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    open: () => {
      write.fire(`$ ${job.command}\r\n`);
      if ((host.jobOutput(id)?.dropped ?? 0) > 0) write.fire(`[${vscode.l10n.t("earlier output in {0}", job.logFile)}]\r\n`);
      flush();
      sub = host.view.updates.on((update) => {
        if (!update.jobIds.includes(id)) return;
        flush();
        const now = host.view.job(id);
        if (!now || now.status === "running" || ended) return;
        ended = true;
        write.fire(`\r\n[${commandOutcome(now.status, now.exitCode)}${now.reason ? `: ${now.reason}` : ""}]\r\n`);
      });
    },
    close: () => sub?.dispose(),
  };
  vscode.window.createTerminal({ name: vscode.l10n.t("Job {0}", job.id), pty }).show(true);
}
