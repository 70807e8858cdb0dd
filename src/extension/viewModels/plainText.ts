/**
 * Messages from the core are written for logs and models, with `code` in backticks; a VS Code
 * notification shows backticks as they are. Code spans become quoted text there.
 */
export function plainText(message: string): string {
  return message.replace(/`([^`\n]+)`/g, "“$1”");
}
