// The shared tail of the bench, cost and soak commands: run `main`, print its error, always clean up
// (also on a signal, exiting 130), so no workerd or consumer outlives the command.

export async function runMain(main: () => Promise<void>, cleanup: () => Promise<void>, signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"]): Promise<void> {
  for (const signal of signals) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  try {
    await main();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}
