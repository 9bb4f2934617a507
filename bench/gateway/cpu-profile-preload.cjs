// Preloaded into the gateway by bench/gateway/profile.mjs (`--require`), never by deploybot
// itself: the first SIGWINCH starts V8's CPU profiler, the second stops it and writes the profile
// to $CPU_PROFILE_FILE — so the profile holds the driven clicks only, not start-up or warm-up.
const { renameSync, writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');

const file = process.env.CPU_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGWINCH', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
      renameSync(`${file}.tmp`, file);
    });
  });
}
