/**
 * A map whose entries expire, for the memory store. Expired entries read as absent
 * and are dropped when read; `sweep` drops the rest, so keys of clients that never
 * come back do not pile up.
 */
export class ExpiringMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** When the entry expires (Unix ms), or undefined when it is absent. */
  expiresAt(key: string, now: number): number | undefined {
    return this.get(key, now) === undefined ? undefined : this.#entries.get(key)?.expiresAt;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.#entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
