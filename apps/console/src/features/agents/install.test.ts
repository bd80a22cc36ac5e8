import { describe, expect, it } from 'vitest';
import { daemonSetSecret, linuxInstallCommand } from './install';

describe('enrollment snippets', () => {
  it('gives the Linux install command with the server and the token', () => {
    expect(linuxInstallCommand('https://driftlock.example', 'dle_abc')).toBe(
      'driftlock-agent enroll --server https://driftlock.example --token dle_abc',
    );
  });

  it('gives a Secret for the DaemonSet with the server and the token quoted', () => {
    const yaml = daemonSetSecret('https://driftlock.example', 'dle_abc');
    expect(yaml).toContain('kind: Secret');
    expect(yaml).toContain('DRIFTLOCK_SERVER: "https://driftlock.example"');
    expect(yaml).toContain('DRIFTLOCK_ENROLLMENT_TOKEN: "dle_abc"');
  });
});
