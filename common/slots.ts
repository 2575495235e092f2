// Hash slots of Redis Cluster: CRC-16/XMODEM of the key (or of its hash tag) modulo 16384.
// Keys are carried as latin1 strings (one char per byte), so charCodeAt gives the raw byte.

export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

export function crc16Bytes(b: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < b.length; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ b[i]!) & 0xff]!;
  return crc;
}

// A command asks for the slot of the same key several times (routing, lookup, store):
// remembering the last answer saves recomputing the CRC.
let lastKey = '';
let lastSlot = 0;

/** Slot of a key given as a latin1 string, honouring the first non-empty {hash tag}. */
export function keySlot(key: string): number {
  if (key === lastKey) return lastSlot;
  let slot: number;
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);
  if (close > open + 1) slot = crc16(key, open + 1, close) & 0x3fff;
  else slot = crc16(key) & 0x3fff;
  lastKey = key;
  lastSlot = slot;
  return slot;
}

export interface SlotRange {
  start: number;
  end: number;
}

/** Maximal contiguous runs of the slots for which `has` is true, in ascending order. */
export function slotRanges(has: (slot: number) => boolean): SlotRange[] {
  const out: SlotRange[] = [];
  let start = -1;
  for (let s = 0; s <= SLOT_COUNT; s++) {
    const on = s < SLOT_COUNT && has(s);
    if (on && start === -1) start = s;
    else if (!on && start !== -1) {
      out.push({ start, end: s - 1 });
      start = -1;
    }
  }
  return out;
}

/**
 * slotRanges of a slot bitmap (slot s is bit s & 7 of byte s >> 3), skipping whole bytes that
 * are all clear outside a run or all set inside one: nodes.conf is rewritten on every slot change.
 */
export function bitmapRanges(bits: Uint8Array): SlotRange[] {
  const out: SlotRange[] = [];
  let start = -1;
  for (let byte = 0; byte < SLOT_COUNT >> 3; byte++) {
    const b = bits[byte]!;
    if ((b === 0 && start === -1) || (b === 0xff && start !== -1)) continue;
    for (let bit = 0; bit < 8; bit++) {
      const on = (b & (1 << bit)) !== 0;
      const s = (byte << 3) | bit;
      if (on && start === -1) start = s;
      else if (!on && start !== -1) {
        out.push({ start, end: s - 1 });
        start = -1;
      }
    }
  }
  if (start !== -1) out.push({ start, end: SLOT_COUNT - 1 });
  return out;
}

export function formatSlotRanges(ranges: readonly SlotRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(' ');
}
