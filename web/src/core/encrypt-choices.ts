// The user's explicit "Encrypt (OMEMO)" choice per conversation, remembered in localStorage (per account). Only
// what the user ticked or unticked is kept; without a choice, omemo-policy.ts decides.
type ChoiceStorage = Pick<Storage, "getItem" | "setItem">;

export class EncryptChoices {
  readonly #choices = new Map<string, boolean>();
  readonly #key: string;
  readonly #storage: ChoiceStorage | null;

  /** `storage`: undefined for localStorage (when there is one), null for none (kept for this tab only). */
  constructor(jid: string, storage?: ChoiceStorage | null) {
    this.#key = `parley-omemo-choices:${jid.toLowerCase()}`;
    this.#storage = storage !== undefined ? storage : defaultStorage();
    try {
      const raw = this.#storage?.getItem(this.#key);
      const parsed: unknown = raw ? JSON.parse(raw) : null;
      if (typeof parsed !== "object" || parsed === null) return;
      for (const [peer, on] of Object.entries(parsed)) if (typeof on === "boolean") this.#choices.set(peer, on);
    } catch {
      // A broken entry only loses the remembered choices.
    }
  }

  get(peer: string): boolean | undefined {
    return this.#choices.get(peer);
  }

  set(peer: string, on: boolean): void {
    this.#choices.set(peer, on);
    try {
      this.#storage?.setItem(this.#key, JSON.stringify(Object.fromEntries(this.#choices)));
    } catch {
      // Quota or privacy mode: the choice holds for this tab.
    }
  }
}

function defaultStorage(): ChoiceStorage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
