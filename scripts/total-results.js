// Sums every suite's JSON result (jest's --json shape, or {numPassedTests, numFailedTests}) into the
// last line, after naming the failed tests so a CI log that shows only its end still says what broke.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const MAX_NAMED = 15;
let passed = 0;
let failed = 0;
const failures = [];
for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const suite = path.basename(file, '.json');
  const p = r.numPassedTests ?? 0;
  // A suite that could not even start counts as a failure, not as nothing.
  const f = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  for (const t of r.testResults ?? []) {
    const where = path.relative(process.cwd(), t.name ?? t.testFilePath ?? '');
    const failedTests = (t.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedTests) failures.push(`${suite}: ${where} › ${a.fullName ?? a.title}`);
    if (failedTests.length === 0 && t.status === 'failed') {
      const firstLine =
        String(t.message ?? '')
          .trim()
          .split('\n')
          .find((l) => l.trim()) ?? '';
      failures.push(`${suite}: ${where} (did not run: ${firstLine.trim().slice(0, 200)})`);
    }
  }
  console.log(`${suite}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
if (failures.length) {
  console.log(
    `failed (${failures.length}${failures.length > MAX_NAMED ? `, first ${MAX_NAMED}` : ''}):`,
  );
  for (const line of failures.slice(0, MAX_NAMED)) console.log(`  ${line}`);
}
console.log(`${passed} passed, ${failed} failed`);
