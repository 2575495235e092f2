// Cursor support for large (hashtable-encoded) hashes and sets: HSCAN/SSCAN cursors, and O(1)
// random access for HRANDFIELD/SRANDMEMBER/SPOP.
//
// Why not Redis's reverse-binary bucket cursor: a JS Map/Set has no buckets we can address, and
// keeping our own open hash table would cost far more memory than the Map itself. Instead each
// member gets a sequence number when it is inserted (numbers only grow), and the index keeps
// the members in sequence order. A cursor is "the next sequence number to look at":
// - a member present for the whole iteration keeps its sequence number (updating a hash value
//   does not touch the index), so the cursor window, which only moves forward over the sequence
//   space, passes over it exactly once: it is returned at least once;
// - members added during the iteration get numbers above every issued cursor and may or may
//   not be seen; deleted ones are skipped; a deleted-then-re-added member may be seen twice
//   (both allowed by SCAN's contract);
// - finding where a cursor resumes is a binary search over the (sorted) sequence numbers, so a
//   call costs O(log n + COUNT) whatever the collection's size, and no per-client state is kept.
//
// Deletions leave stale slots (the owner's Map/Set is the truth; a slot is live when the owner
// still has that member). When stale slots outnumber live ones the index is compacted in one
// pass that keeps every live member's sequence number, so outstanding cursors stay valid; the
// cost is amortised O(1) per deletion.
//
// Memory: two parallel arrays (member reference + number), ~16 bytes per member, paid only by
// hashtable-encoded collections of more than SCAN_INDEX_MIN_SIZE members. Smaller ones answer a
// SCAN whole with cursor 0 (so no iteration can be in progress when an index gets built) and
// sample randomly by walking their few members.

/** Collections up to this size have no index. */
export const SCAN_INDEX_MIN_SIZE = 64;

const MIN_STALE_BEFORE_COMPACT = 64;

export class ScanIndex {
  /** Members in insertion order; may hold stale entries (deleted, or re-added later). */
  private members: string[] = [];
  /** Sequence number of each slot of `members`, strictly increasing. */
  private seqs: number[] = [];
  private nextSeq = 1;
  private stale = 0;

  /** Builds the index for the live members, in their iteration order. */
  constructor(live?: Iterable<string>) {
    if (live) for (const m of live) this.added(m);
  }

  /** A member that was not present before was inserted. */
  added(member: string): void {
    this.members.push(member);
    this.seqs.push(this.nextSeq++);
  }

  /**
   * A member was deleted. `liveKeys` yields the owner's members in insertion order, and is only
   * consumed when the index decides to compact.
   */
  removed(liveKeys: () => IterableIterator<string>, liveCount: number): void {
    this.stale++;
    if (this.stale > MIN_STALE_BEFORE_COMPACT && this.stale > liveCount) this.compact(liveKeys(), liveCount);
  }

  /** Number of slots, live or stale (for tests and random sampling). */
  get slots(): number {
    return this.members.length;
  }

  memberAt(i: number): string {
    return this.members[i]!;
  }

  /**
   * Drops stale slots. The owner's insertion order lists the live members in the same relative
   * order as their latest slots here, so a single merge pass finds each member's slot and keeps
   * its sequence number. (If a re-added member matches its older slot instead, it gets a smaller
   * number: harmless, since it was not present for the whole of any iteration that could tell.)
   */
  private compact(live: IterableIterator<string>, liveCount: number): void {
    const members: string[] = new Array(liveCount);
    const seqs: number[] = new Array(liveCount);
    let i = 0;
    let n = 0;
    for (const m of live) {
      while (i < this.members.length && this.members[i] !== m) i++;
      if (i === this.members.length) throw new Error('scan index lost a live member');
      members[n] = m;
      seqs[n++] = this.seqs[i]!;
      i++;
    }
    this.members = members;
    this.seqs = seqs;
    this.stale = 0;
  }

  /** Position of the first slot whose sequence number is >= seq. */
  private lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * One SCAN step from `cursor`: pushes up to `count` live members (visiting at most 10*count
   * slots, as Redis bounds its bucket visits) and returns the next cursor, 0 at the end.
   */
  scan(cursor: number, count: number, isLive: (m: string) => boolean, out: string[]): number {
    let i = this.lowerBound(cursor);
    const end = this.members.length;
    let found = 0;
    let budget = count * 10;
    while (i < end && found < count && budget-- > 0) {
      const m = this.members[i]!;
      if (isLive(m)) {
        out.push(m);
        found++;
      }
      i++;
    }
    return i >= end ? 0 : this.seqs[i]!;
  }
}
