/** What an operator pastes to enroll a host or a cluster with a fresh enrollment token. */
export function linuxInstallCommand(serverUrl: string, token: string): string {
  return `driftlock-agent enroll --server ${serverUrl} --token ${token}`;
}

export function daemonSetSecret(serverUrl: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: driftlock-agent-enrollment',
    '  namespace: driftlock',
    'type: Opaque',
    'stringData:',
    `  DRIFTLOCK_SERVER: ${JSON.stringify(serverUrl)}`,
    `  DRIFTLOCK_ENROLLMENT_TOKEN: ${JSON.stringify(token)}`,
    '',
  ].join('\n');
}
