/**
 * Applies the memory settings of ./runtime-settings.ts to this process: importing this module does
 * it. Each service's main.ts imports it first, so that whichever way the service is started
 * (`npm run start:<service>`, `npm start`, the image, docker compose, the e2e and chaos harnesses)
 * it runs with them.
 *
 * V8 sizes its heap when the process starts (`v8.setFlagsFromString` is too late for these) and
 * glibc reads MALLOC_ARENA_MAX when the process starts, so a service started without them starts
 * itself again in place with them added: `process.execve` keeps the pid, stdin/stdout/stderr and
 * the arguments, and nothing else has been loaded yet. The second start finds them and goes on.
 */
import { missingEnvironment, missingNodeFlags } from './runtime-settings';

function applyRuntimeSettings(): void {
  const flags = missingNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  const environment = missingEnvironment(process.env);
  // Nothing missing; or Windows, which has no execve (the service then runs with Node's defaults).
  if ((flags.length === 0 && Object.keys(environment).length === 0) || typeof process.execve !== 'function') return;
  try {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      ...environment,
    });
  } catch (error) {
    // execve failed and left this process as it was: run on with Node's defaults, and say so.
    process.stderr.write(`deploybot: running without the memory settings (${flags.join(' ')}): ${(error as Error).message}\n`);
  }
}

applyRuntimeSettings();
