// Loaded with --require into an app when BENCH_PROFILE=1 (Node refuses --cpu-prof in NODE_OPTIONS): profiles the
// process with the inspector from start to exit and writes <BENCH_PROFILE_DIR>/<pid>.cpuprofile. The tsx launcher
// loads it too and writes a small profile of its own; the app's is the large one.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by the bench for this preload only, never a turbo task's input
const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The in-process session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
