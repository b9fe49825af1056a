import type { AnswerReader } from '../answer/answer-reader.js';
import type { HeaderRecord } from '../request/cors.js';

/** An answer's event stream, for the mount to write out its own way (a Web `Response`, or straight to a Node response). */
export interface AnswerReply {
  status: number;
  headers: HeaderRecord;
  reader: AnswerReader;
}

/** What the handler answers: a whole response (errors, 204s, lists), or an answer's stream. */
export type Reply = Response | AnswerReply;

export const isAnswerReply = (reply: Reply): reply is AnswerReply => !(reply instanceof Response);
