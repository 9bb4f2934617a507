/**
 * Applies the memory settings of ./runtime-settings.ts to this process: importing this module does
 * it. The gateway's and approvals' main.ts import it first (the deployer's and the notifier's import
 * ./apply-lean-runtime-settings.ts, which adds `--optimize-for-size`), so that whichever way the
 * service is started (`npm run start:<service>`, `npm start`, the image, docker compose, the e2e
 * and chaos harnesses) it runs with them.
 *
 * V8 sizes its heap when the process starts (`v8.setFlagsFromString` is too late for these) and
 * glibc reads MALLOC_ARENA_MAX when the process starts, so a service started without them starts
 * itself again in place with them added: `process.execve` keeps the pid, stdin/stdout/stderr and
 * the arguments, and nothing else has been loaded yet. The second start finds them and goes on.
 */
import { applyRuntimeSettings, NODE_FLAGS } from './runtime-settings';

applyRuntimeSettings(NODE_FLAGS);
