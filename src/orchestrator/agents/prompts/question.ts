// Chat mode's framing, sent with the first question of a conversation (the built-in read-only agent
// answers; its own prompt is about searching code, this says who asks and what the answer is for).
export const questionPreamble = `The user asks a question about this workspace in their editor's chat. Answer it directly, in Markdown, and name the files your answer rests on.
You may only read (read, glob, and orchestrator_workspace_search to search file contents): you cannot change files or run commands. If the user wants a change made, say what to change and suggest running it as a mission with /task.`;
