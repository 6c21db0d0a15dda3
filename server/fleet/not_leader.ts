/**
 * The error of a write for a source this instance does not (or no longer) lead: a follower, or
 * a leader whose lease expired mid-scrape. The new leader writes instead, so it says nothing
 * about the source itself.
 * @module
 */

/** Thrown when this instance does not hold the lease of the source it writes for. */
export class NotLeaderError extends Error {
  constructor(source: string) {
    super(`Cannot publish for source "${source}": this instance does not hold its lease`);
    this.name = "NotLeaderError";
  }
}
