import { ConfigError, loadConfig, maskedConfig } from './config';

describe('loadConfig', () => {
  it('takes flags over environment over defaults', () => {
    const config = loadConfig(
      { stateDir: '/flag/state' },
      {
        DRIFTLOCK_STATE_DIR: '/env/state',
        DRIFTLOCK_SERVER: 'http://127.0.0.1:3000',
        DRIFTLOCK_HEARTBEAT_SECONDS: '5',
      },
    );
    expect(config).toMatchObject({
      stateDir: '/flag/state',
      server: 'http://127.0.0.1:3000',
      heartbeatSeconds: 5,
      criAddresses: ['unix:///run/containerd/containerd.sock'],
      kind: 'linux',
    });
  });

  it('runs as a Kubernetes agent named after its node when the DaemonSet says so', () => {
    const config = loadConfig(
      {},
      { DRIFTLOCK_CLUSTER: 'prod', DRIFTLOCK_NODE_NAME: 'node-7', DRIFTLOCK_HOSTNAME: 'host-7' },
    );
    expect(config).toMatchObject({
      kind: 'kubernetes',
      cluster: 'prod',
      node: 'node-7',
      hostname: 'host-7',
    });
  });

  it('names every invalid setting', () => {
    expect(() => loadConfig({}, { DRIFTLOCK_HEARTBEAT_SECONDS: 'soon' })).toThrow(
      new ConfigError("DRIFTLOCK_HEARTBEAT_SECONDS must be an integer, got 'soon'"),
    );
    expect(() => loadConfig({ logLevel: 'loud' }, { DRIFTLOCK_EVENT_BATCH_MS: '1' })).toThrow(
      /logLevel: .*; eventBatchMs: /,
    );
  });

  it('masks the enrollment token in what it logs', () => {
    const config = loadConfig({ token: 'dl_enroll_supersecret' }, {});
    expect(JSON.stringify(maskedConfig(config))).not.toContain('supersecret');
    expect(maskedConfig(config).enrollToken).toBe('***(21)');
  });
});
