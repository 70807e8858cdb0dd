/**
 * An answer as it is written: the text of one turn's assistant messages, reduced from its
 * session's events into the pieces a chat appends (OpenCode sends a text part empty, then
 * `message.part.delta`s, then the part whole), and the files the answer read. Pure: fed events,
 * no I/O, so every order of events can be tested.
 */
import type { OpencodeEvent } from "../engine/eventRouter";

interface TextSoFar {
  /** The part's text as OpenCode last sent it. */
  text: string;
  /** What of it was handed on: a chat can only append, so a part rewritten since is not shown twice. */
  shown: string;
}

export class AnswerStream {
  private readonly assistants = new Set<string>();
  private readonly texts = new Map<string, TextSoFar>();
  private readonly read: string[] = [];
  private answer = "";

  /** `startedAt`: when the turn began; a message older than that belongs to an earlier question of the session. */
  constructor(private readonly startedAt: number) {}

  /** Everything handed on so far, as the reader saw it. */
  get text(): string {
    return this.answer;
  }

  /** The files the answer read (as the read tool got them: absolute paths, usually), in the order read. */
  get filesRead(): string[] {
    return [...this.read];
  }

  /** Feeds one event of the session; returns the text to append (empty when nothing new). */
  feed(event: OpencodeEvent): string {
    if (event.type === "message.updated") {
      const info = event.properties.info;
      // Clocks of the server and ours may differ a little, as in turnTracker.ts.
      if (info.role === "assistant" && info.time.created >= this.startedAt - 2_000) this.assistants.add(info.id);
      return "";
    }
    if (event.type === "message.part.updated") {
      const part = event.properties.part;
      if (!this.assistants.has(part.messageID)) return ""; // the question itself, or an earlier answer
      if (part.type === "text" && !part.synthetic && !part.ignored) return this.update(part.id, part.text);
      if (part.type === "tool" && part.tool === "read" && part.state.status === "completed") {
        const file = (part.state.input as { filePath?: unknown }).filePath;
        if (typeof file === "string" && !this.read.includes(file)) this.read.push(file);
      }
      return "";
    }
    if (event.type === "message.part.delta") {
      const { messageID, partID, field, delta } = event.properties;
      // Reasoning parts stream deltas too; only parts first seen as text are the answer.
      const known = this.texts.get(partID);
      if (field !== "text" || !known || !this.assistants.has(messageID)) return "";
      return this.update(partID, known.text + delta);
    }
    return "";
  }

  /** The end of the answer as the turn's result has it, for what events did not bring (a reconnect's gap). */
  finish(finalText: string): string {
    const text = finalText.trim();
    if (!text || squash(this.answer).includes(squash(text))) return "";
    const last = [...this.texts.values()].map((p) => p.shown.trim()).filter(Boolean).at(-1) ?? "";
    const piece = last && text.startsWith(last) ? text.slice(last.length) : `${this.answer.trim() ? "\n\n" : ""}${text}`;
    this.answer += piece;
    return piece;
  }

  private update(partId: string, text: string): string {
    const part = this.texts.get(partId) ?? { text: "", shown: "" };
    this.texts.set(partId, part);
    part.text = text;
    if (!text.startsWith(part.shown)) return ""; // rewritten (trimmed at its end): what was shown stands
    let piece = text.slice(part.shown.length);
    if (!piece) return "";
    // A new part after earlier text starts a paragraph of its own.
    if (!part.shown && this.answer.trim()) piece = `\n\n${piece.trimStart()}`;
    part.shown = text;
    this.answer += piece;
    return piece;
  }
}

const squash = (text: string) => text.replace(/\s+/g, " ").trim();
