import type { StreamEvent } from '../../../../widget/shared/protocol.js';
import { encodeEvent } from '../sse-encoder.js';

/** What one send puts out: the frames' text for the readers, and each frame for the log when it is kept. */
export interface FramedEvents {
  text: string;
  frames: string[] | undefined;
}

/**
 * Numbers and frames one answer's events (ids `<streamId>:<seq>`, seq from 0 without
 * gaps). Once corked it holds what it frames, so the last frames leave together with
 * the end: one write to each reader, one append to the log.
 */
export class AnswerFrames {
  readonly #streamId: string;
  /** The next event's seq. */
  #seq = 0;
  #corked: { text: string; frames: string[] } | undefined;

  constructor(streamId: string) {
    this.#streamId = streamId;
  }

  /** The seq the next event gets. */
  get nextSeq(): number {
    return this.#seq;
  }

  /**
   * Frames the events, each once. Returns what to send now, with the frames one by one
   * when `keepFrames` (the log takes them); undefined while corked (held until `uncork`).
   */
  frame(events: readonly StreamEvent[], keepFrames: boolean): FramedEvents | undefined {
    const frames: string[] | undefined = keepFrames || this.#corked ? [] : undefined;
    let text = '';
    for (const event of events) {
      const frame = encodeEvent(`${this.#streamId}:${this.#seq++}`, event);
      text += frame;
      frames?.push(frame);
    }
    if (!this.#corked) return { text, frames };
    this.#corked.text += text;
    if (frames) this.#corked.frames.push(...frames);
    return undefined;
  }

  /** Holds what is framed from now on, until `uncork`. */
  cork(): void {
    this.#corked ??= { text: '', frames: [] };
  }

  /** What was held since `cork` (nothing when not corked); frames are sent at once again after it. */
  uncork(): { text: string; frames: string[] } {
    const corked = this.#corked ?? { text: '', frames: [] };
    this.#corked = undefined;
    return corked;
  }
}
