// One outbound POST to an endpoint, as data: the result of the attempt and the response, if any.
import type { AttemptResult } from "../core/outcome";

export interface SendInput {
  url: string;
  allowPrivateNetworks: boolean;
  headers: Headers;
  body: Uint8Array;
  timeoutMs: number;
  nowMs: number;
}

export interface SendOutput {
  result: AttemptResult;
  /** The endpoint's response when one arrived (body unread). */
  response: Response | null;
  latencyMs: number;
}

export interface HttpSender {
  /** Never throws: a refused URL, a timeout or a network error is a result. */
  send(input: SendInput): Promise<SendOutput>;
}
