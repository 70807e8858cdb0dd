/**
 * The page's words in the editor's language: the extension puts VS Code's l10n bundle into the page
 * (a JSON block, absent in English) and @vscode/l10n reads it before any text is made. Imported
 * first by each page, so every l10n.t call after it translates.
 */
import * as l10n from "@vscode/l10n";

const block = document.getElementById("l10n-bundle");
if (block?.textContent) {
  try {
    l10n.config({ contents: JSON.parse(block.textContent) as Record<string, string> });
  } catch {
    // A bundle that does not parse: the page speaks English.
  }
}
