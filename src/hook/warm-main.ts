/**
 * Entry of the hook's warm helper process (started by warm.ts, detached): `node warm-main.js SOCKET`.
 * Any failure just ends the process; the hook then lints in-process.
 */
import { DEFAULT_IDLE_MINUTES } from './warm.js';
import { serveWarm } from './warm-server.js';

const socket = process.argv[2];
const minutes = Number(process.env.PERF_HUNTER_HOOK_IDLE_MINUTES);
if (socket) {
  serveWarm(socket, { idleMinutes: Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_IDLE_MINUTES }).catch(() => process.exit(0));
}
