// Prints vitest's JSON report as one plain closing line, "N passed, N failed, N skipped", which CI
// reads to know that tests ran.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(new URL('../.test-out/vitest.json', import.meta.url), 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exit(report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0);
