import type { IncomingCall } from '../http/incoming-call.js';
import type { Usage } from '../../../widget/shared/protocol.js';
import { addressIdentity, identifyClient, type ClientIdentityConfig, type IdentifyHook } from './client-identity.js';
import type { Logger } from '../ops/log.js';
import type { RateLimitConfig } from '../rate-limit/rate-limit-config.js';
import type { RateLimitDecision } from '../rate-limit/rate-limit-decision.js';
import { createRateLimits, type RateLimits } from '../rate-limit/rate-limits.js';
import type { TokenReservation } from '../rate-limit/token-budget.js';
import type { SharedStore } from '../store/shared-store.js';

/** Who may name the client when nothing is configured: the socket alone. */
export const NO_TRUSTED_PROXY: ClientIdentityConfig = { onVercel: false, trustedProxyHops: 0 };

/** What admission needs: the store, the limits (each off unless set) and how clients are told apart. */
export interface AdmissionOptions {
  store: SharedStore;
  rateLimits: RateLimitConfig;
  identity: ClientIdentityConfig;
  identify?: IdentifyHook | undefined;
  log: Logger;
}

/** What a stream reserves on the token budget: an upper bound at once, the exact count only if asked. */
export interface TokensToReserve {
  upTo: number;
  exactly(): Promise<number>;
}

/** A stream's admission: it goes on, holding a ticket, or it is refused by one limit. */
export type StreamAdmission = { admitted: true; ticket: StreamTicket } | { admitted: false; decision: RateLimitDecision };

/**
 * What a stream holds from its admission until it ends: a slot among the client's
 * open streams, a reservation on its token budget (each only when that limit is on).
 * `end` gives both back exactly once, however the stream ends.
 */
export class StreamTicket {
  #ended = false;

  constructor(
    readonly client: string,
    readonly streamId: string,
    readonly limits: RateLimits,
    readonly slot: boolean,
    readonly reservation: TokenReservation | undefined,
  ) {}

  /**
   * Releases the slot and settles the reservation with the tokens really used (0 when
   * no usage was counted: the answer failed before any output). Later calls do nothing.
   * Neither is awaited by the stream: a store that is down loses them, and the slot's
   * and the window's expiry recover them (docs/shared-state.md).
   */
  end(usage: Usage | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.slot) void this.limits.streams?.release(this.client, this.streamId);
    if (this.reservation) void this.limits.tokens?.settle(this.client, this.reservation, usage?.totalTokens ?? 0);
  }

  get ended(): boolean {
    return this.#ended;
  }
}

/**
 * The gate in front of every new stream (docs/shared-state.md): who the client is,
 * the request window, the concurrent-stream cap and the token budget. Create once per
 * handler, so `@upstash/ratelimit`'s ephemeral cache lives as long as the instance.
 * With no limit set, nothing here touches the store.
 */
export class Admission {
  readonly limits: RateLimits;
  readonly #options: AdmissionOptions;

  constructor(options: AdmissionOptions) {
    this.#options = options;
    this.limits = createRateLimits(options.store, options.rateLimits);
  }

  /** Whether a stream's admission asks the store anything (a stream cap or a token budget). */
  get countsStreams(): boolean {
    return this.limits.streams !== undefined || this.limits.tokens !== undefined;
  }

  /** The client's key; synchronous unless the site passed an `identify` hook. */
  clientOf(call: IncomingCall): string | Promise<string> {
    const { identity: config, identify } = this.#options;
    const socketAddress = call.socketAddress;
    if (identify) return identifyClient(call.asRequest(), { config, socketAddress, identify });
    return addressIdentity(call, { config, socketAddress });
  }

  /** Counts one request in the client's window; undefined when that limit is off. */
  async checkRequest(client: string): Promise<RateLimitDecision | undefined> {
    const decision = await this.limits.requests?.check(client);
    if (decision) this.#noteStoreDown(decision);
    return decision;
  }

  /**
   * Takes a stream slot and reserves the answer's tokens, in parallel: one round trip
   * with the Redis store. The reservation first holds `tokens.upTo` (the prompt's byte
   * bound plus maxTokens), so no tokenizer runs before the upstream call; only a bound
   * the budget refuses is replaced by `tokens.exactly()` (the exact count) and tried
   * once more. A refusal of either limit gives the other back.
   */
  async admitStream(client: string, streamId: string, tokens: TokensToReserve): Promise<StreamAdmission> {
    const { streams, tokens: budget } = this.limits;
    const [slot, first] = await Promise.all([streams?.acquire(client, streamId), budget?.reserve(client, tokens.upTo)]);
    let reserved = first;
    if (budget && first && !first.decision.success && !first.decision.storeDown && slot?.success !== false) {
      const exact = await tokens.exactly();
      if (exact < tokens.upTo) reserved = await budget.reserve(client, exact);
    }
    if (slot) this.#noteStoreDown(slot);
    if (reserved) this.#noteStoreDown(reserved.decision);
    const ticket = new StreamTicket(client, streamId, this.limits, slot?.success === true && slot.storeDown !== true, reserved?.reservation);
    const refusal = [slot, reserved?.decision].find((decision) => decision !== undefined && !decision.success);
    if (!refusal) return { admitted: true, ticket };
    // Nothing was used: the reservation goes back whole.
    ticket.end({ promptTokens: 0, completionTokens: 0, totalTokens: 0, source: 'estimate' });
    return { admitted: false, decision: refusal };
  }

  // The store's own line says which call failed; this one says what the policy did.
  #noteStoreDown(decision: RateLimitDecision): void {
    if (!decision.storeDown) return;
    this.#options.log('limit_unchecked', { limit: decision.reason, policy: this.#options.rateLimits.onStoreDown, admitted: decision.success });
  }
}
