import { ConfigError, loadConfig, maskDatabaseUrl } from './app-config';

describe('server configuration', () => {
  it('applies defaults and treats empty variables as unset', () => {
    const c = loadConfig({ DRIFTLOCK_ADMIN_PASSWORD: '', DATABASE_URL: '' });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: null,
      adminPassword: null,
    });
    expect(c.publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('names every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        DRIFTLOCK_PORT: 'eighty',
        DRIFTLOCK_ADMIN_PASSWORD: 'short',
        DATABASE_URL: 'nope',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/DRIFTLOCK_PORT/);
    expect(message).toMatch(/DRIFTLOCK_ADMIN_PASSWORD/);
    expect(message).toMatch(/DATABASE_URL/);
  });

  it('masks the password of a database URL for logs', () => {
    expect(maskDatabaseUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(maskDatabaseUrl('postgres://db/x')).toBe('postgres://db/x');
  });
});
