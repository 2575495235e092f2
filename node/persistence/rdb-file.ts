// dump.rdb: SAVE (synchronous), BGSAVE (a snapshot written a slice per tick while serving),
// save points, and loading at startup.
import fs from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server/server.js';
import { pumpSnapshot, startSnapshot } from './snapshot.js';
import { RdbLoader } from './rdb-loader.js';
import { bulkLoadBegin, bulkLoadEnd } from './bulk-load-heap.js';
import { encodingThresholds } from '../commands/thresholds.js';

export interface SaveState {
  lastSave: number;
  lastStatus: 'ok' | 'err';
  inProgress: boolean;
  lastDurationMs: number;
}

export function rdbPath(server: Server): string {
  return join(process.cwd(), server.config.get('dbfilename'));
}

function writeAtomic(path: string, chunks: readonly Buffer[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const c of chunks) fs.writeSync(fd, c);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

/** SAVE: the whole snapshot now, blocking (as Redis's SAVE). */
export function saveNow(server: Server): void {
  const t0 = Date.now();
  const dirty = server.dirty;
  const snap = startSnapshot(server);
  const chunks: Buffer[] = [];
  for (let c = snap.read(Infinity); c !== null; c = snap.read(Infinity)) chunks.push(c);
  writeAtomic(rdbPath(server), chunks);
  finish(server, dirty, t0, 'ok');
}

/** BGSAVE: returns at once; the snapshot is produced a few milliseconds per tick. */
export function saveInBackground(server: Server, done?: (err: Error | null) => void): boolean {
  if (server.saveState.inProgress) return false;
  server.saveState.inProgress = true;
  const t0 = Date.now();
  const dirty = server.dirty;
  const chunks: Buffer[] = [];
  pumpSnapshot(
    server,
    (c) => chunks.push(c),
    (err) => {
      if (err === null) {
        try {
          writeAtomic(rdbPath(server), chunks);
        } catch (e) {
          err = e as Error;
        }
      }
      finish(server, dirty, t0, err === null ? 'ok' : 'err');
      if (err === null) server.log.info({ ms: Date.now() - t0 }, 'background saving terminated with success');
      else server.log.error({ err: err.message }, 'background saving failed');
      done?.(err);
    },
  );
  return true;
}

function finish(server: Server, dirtyAtStart: number, t0: number, status: 'ok' | 'err'): void {
  const st = server.saveState;
  st.inProgress = false;
  st.lastStatus = status;
  st.lastDurationMs = Date.now() - t0;
  if (status === 'ok') {
    st.lastSave = Math.floor(Date.now() / 1000);
    // Writes made during a background save still count as unsaved.
    server.dirty -= dirtyAtStart;
  }
}

/** Save points ("save <seconds> <changes> ..."): checked by the cron. */
export function checkSavePoints(server: Server): void {
  const st = server.saveState;
  if (st.inProgress || server.dirty === 0) return;
  const spec = server.config.get('save').trim();
  if (spec === '') return;
  const p = spec.split(/\s+/).map(Number);
  const elapsed = Date.now() / 1000 - st.lastSave;
  for (let i = 0; i + 1 < p.length; i += 2) {
    if (server.dirty >= p[i + 1]! && elapsed >= p[i]!) {
      server.log.info({ changes: server.dirty, seconds: Math.floor(elapsed) }, 'save point reached; saving in the background');
      saveInBackground(server);
      return;
    }
  }
}

/** Loads an RDB image into the (empty) databases; returns the number of keys loaded. */
export function loadRdbImage(server: Server, image: Buffer, keepExpired: boolean): number {
  const now = Date.now();
  let n = 0;
  const loader = new RdbLoader((dbIndex, key, value, expireAt) => {
    const db = server.dbs[dbIndex];
    if (db === undefined) return;
    if (expireAt !== undefined && expireAt <= now && !keepExpired) return;
    db.set(key, value);
    if (expireAt !== undefined) db.setExpire(key, expireAt);
    n++;
  }, encodingThresholds(server.config));
  bulkLoadBegin();
  try {
    loader.feed(image);
    loader.end();
  } finally {
    bulkLoadEnd();
  }
  return n;
}
