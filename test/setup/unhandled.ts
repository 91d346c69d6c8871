// Vitest serialises an unhandled rejection from a test worker by its own properties; a
// DOMException (AbortError, TimeoutError) keeps its name, message and stack on the prototype, so it
// arrives as `{ message: undefined, stacks: [] }` and no one can tell where it came from. Print it
// here, in the worker, where those getters still work, so the run's output names its source.
process.on("unhandledRejection", (reason) => {
  const r = reason as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  const what =
    r && typeof r === "object" ? `${String(r.name)}: ${String(r.message)}\n${String(r.stack)}` : String(reason);
  console.warn(`UNHANDLED REJECTION in ${process.env.VITEST_WORKER_ID ? "a test worker" : "vitest"}: ${what}`);
});
