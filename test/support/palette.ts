/** Driving VS Code's command palette in the browser. */
import type { Page } from "playwright-core";

/** F1, the command's title, Enter. Retries while the extension host is still registering commands. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`>${title}`);
    const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3_000 });
      await page.keyboard.press("Enter");
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press("Escape");
    }
  }
}

/** Orchestrator: Run Task from the palette, with the mission typed into its input box. */
export async function runTask(page: Page, mission: string): Promise<void> {
  await runCommand(page, "Orchestrator: Run Task");
  await page.locator(".quick-input-widget", { hasText: "Orchestrator: Run Task" }).waitFor({ state: "visible" });
  await page.locator(".quick-input-widget input").fill(mission);
  await page.keyboard.press("Enter");
}
