/** Locators for VS Code's workbench in the browser, shared by the UI tests. */
import type { Frame, Locator, Page } from "playwright-core";

/** A view pane of the sidebar, by its title ("TODOs", "Sessions", "Background Jobs"). */
export const pane = (page: Page, title: string): Locator => page.locator(".pane", { has: page.locator(".pane-header", { hasText: title }) });

/** The rows of a view pane whose text matches. */
export const rows = (page: Page, title: string, text: string | RegExp): Locator => pane(page, title).locator(".monaco-list-row", { hasText: text });

/** A notification toast whose text matches. */
export const toast = (page: Page, text: RegExp): Locator => page.locator(".notifications-toasts .notification-toast", { hasText: text });

/** The dashboard's webview frame, once its page has rendered (it is a frame of its own, found by its content). */
export async function dashboardFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 300; i++) {
    for (const frame of page.frames()) {
      if (await frame.locator("[data-testid=phase]").count().catch(() => 0)) return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error("the dashboard webview did not appear");
}

/** The Orchestrator container in the sidebar, opened if it is not. */
export async function openOrchestrator(page: Page): Promise<void> {
  if (await pane(page, "TODOs").isVisible()) return;
  await page.locator('.activitybar .action-item a[aria-label^="Orchestrator"]').click();
  await pane(page, "TODOs").waitFor();
}

/**
 * Does `act` (a click, a keypress) until `shown` is visible. A click or a key can be lost on a busy
 * machine (focus still moving, the workbench not ready for it); acting again must be harmless where
 * this is used: `shown` is the state the first act that lands brings about.
 */
export async function actUntilShown(act: () => Promise<void>, shown: Locator, { tries = 5, eachMs = 20_000 } = {}): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await act();
    try {
      await shown.waitFor({ timeout: eachMs });
      return;
    } catch (error) {
      if (attempt >= tries) throw error;
    }
  }
}
