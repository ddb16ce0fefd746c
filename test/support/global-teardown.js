// How long the run may stay alive after its last test before it is failed instead of hanging.
const EXIT_WITHIN_MS = 60_000;

export default async function globalTeardown() {
  await globalThis.__JASPER_MONGO__?.stop();
  // A test that leaves a server, a socket or a child process behind keeps Jest from exiting
  // (with one worker the tests run in this very process), and CI would wait for it until its
  // own limit. The timer holds nothing open: a run that exits never sees it. One that does not
  // fails here, naming what was still open, rather than hanging silently.
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== "Timeout");
    console.error(
      `\nerror: Jest had not exited ${EXIT_WITHIN_MS / 1000} s after the last test; still open: ${open.join(", ") || "(timers only)"}. A test left something running: find it with --detectOpenHandles.`,
    );
    process.exit(1);
  }, EXIT_WITHIN_MS).unref();
}
