/** True while a process with this pid exists (signal 0 tests for it without sending anything). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
