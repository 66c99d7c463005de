// Vitest reporter that ends the run with one plain line, "frontend: N passed, N failed[, N skipped]",
// which CI log readers recognise in any language (the default reporter's summary is not that form).
import type { Reporter, SerializedError, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed += 1;
        else if (state === "failed") failedHere += 1;
        else skipped += 1;
      }
      // a file that failed to load or whose hooks threw has no failed test of its own: count it once
      failed += failedHere === 0 && mod.state() === "failed" ? 1 : failedHere;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\nfrontend: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
