/**
 * The page of one of our webviews: a strict CSP (nothing but our own script, by nonce, and our own
 * styles), one stylesheet, one script bundle, and a <main id="app"> the script renders into. Its
 * words come from VS Code's l10n bundle, put into the page as data (webview/l10nSetup.ts reads it).
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

export interface WebviewPage {
  /** The bundle under dist/ ("webview.js", "ask.js"). */
  script: string;
  /** The stylesheet under media/. */
  style: string;
  title: string;
  /** Styles the page sets by nonce (the dashboard's component library injects some). */
  nonceStyles?: boolean;
  /** aria-live for pages whose content changes by itself. */
  live?: boolean;
}

/** What our panels may run and load: their scripts, and only dist/ and media/ of the extension. */
export function webviewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")] };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", page.script));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", page.style));
  const styleSrc = `${webview.cspSource}${page.nonceStyles ? ` 'nonce-${nonce}'` : ""}`;
  // Data, never run: "<" is escaped so that no text of the bundle can close the block.
  const bundle = vscode.l10n.bundle ? `\n<script id="l10n-bundle" type="application/json" nonce="${nonce}">${JSON.stringify(vscode.l10n.bundle).replace(/</g, "\\u003c")}</script>` : "";
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${styleSrc}; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<main id="app"${page.live ? ' aria-live="polite"' : ""}></main>${bundle}
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** A text for an HTML element's content (a translated title may hold any character). */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
