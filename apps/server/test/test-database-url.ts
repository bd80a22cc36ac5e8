/**
 * The Postgres the tests run on (Debian's, started by scripts/test.sh); each spec gets its own
 * database on it. A malformed value fails here, by name, instead of as a DNS error in every test.
 */
function testDatabaseUrl(): string {
  const raw =
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  if (!/^postgres(ql)?:\/\/\S+$/.test(raw)) {
    throw new Error(`TEST_DATABASE_URL must be one postgres:// URL, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

export const TEST_DATABASE_URL = testDatabaseUrl();
