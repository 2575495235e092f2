// INFO persistence fields.
import type { Server } from '../server/server.js';

export function persistenceInfo(server: Server): string[] {
  const st = server.saveState;
  const aof = server.aofStatus();
  return [
    'loading:0',
    'async_loading:0',
    `rdb_changes_since_last_save:${server.dirty}`,
    `rdb_bgsave_in_progress:${st.inProgress ? 1 : 0}`,
    `rdb_last_save_time:${st.lastSave}`,
    `rdb_last_bgsave_status:${st.lastStatus}`,
    `rdb_last_bgsave_time_sec:${st.lastDurationMs < 0 ? -1 : Math.round(st.lastDurationMs / 1000)}`,
    `aof_enabled:${server.config.bool('appendonly') ? 1 : 0}`,
    `aof_rewrite_in_progress:${aof.rewriting ? 1 : 0}`,
    `aof_last_bgrewrite_status:ok`,
    ...(server.config.bool('appendonly') ? [`aof_current_size:${aof.baseSize + aof.incrSize}`, `aof_base_size:${aof.baseSize}`] : []),
  ];
}
