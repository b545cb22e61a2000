/**
 * Server-side evidence is optional: a missing extension, a remote server or an unreadable /proc
 * must not fail a load run. Every probe that can be missing returns this instead of throwing, and
 * every diff of such a snapshot passes it on.
 */
export interface Unavailable {
  readonly available: false;
  /** One sentence a person can act on, e.g. which setting or package is missing. */
  readonly reason: string;
}

/** Builds an {@link Unavailable} result. */
export const unavailable = (reason: string): Unavailable => ({ available: false, reason });
