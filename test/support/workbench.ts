/** Locators for VS Code's workbench in the browser, shared by the UI tests. */
import type { Locator, Page } from "playwright-core";

/** A view pane of the sidebar, by its title ("TODOs", "Sessions", "Background Jobs"). */
export const pane = (page: Page, title: string): Locator => page.locator(".pane", { has: page.locator(".pane-header", { hasText: title }) });

/** The rows of a view pane whose text matches. */
export const rows = (page: Page, title: string, text: string | RegExp): Locator => pane(page, title).locator(".monaco-list-row", { hasText: text });

/** A notification toast whose text matches. */
export const toast = (page: Page, text: RegExp): Locator => page.locator(".notifications-toasts .notification-toast", { hasText: text });
