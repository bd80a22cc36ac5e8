import { interpreterOf, scriptArgument } from './interpreter';

/** The file each command line asks its interpreter to run, or null when no file runs. */
const cases: [string, string[], string | null][] = [
  ['/bin/sh', ['sh', '/tmp/x.sh'], '/tmp/x.sh'],
  ['/bin/bash', ['bash', '-e', '-o', 'pipefail', 'x.sh'], 'x.sh'],
  ['/bin/bash', ['bash', '-c', 'echo hi'], null],
  ['/usr/bin/python3.11', ['python3', '-u', '-W', 'ignore', 'x.py', '--flag'], 'x.py'],
  ['/usr/bin/python3', ['python3', '-c', 'print(1)'], null],
  ['/usr/bin/python3', ['python3', '-m', 'http.server'], null],
  ['/usr/local/bin/node', ['node', '--require', 'ts-node/register', 'x.js'], 'x.js'],
  ['/usr/local/bin/node', ['node', '-e', 'process.exit(0)'], null],
  ['/usr/bin/perl', ['perl', '-w', 'x.pl'], 'x.pl'],
  ['/usr/bin/perl', ['perl', '-ne', 'print'], null],
  ['/usr/bin/ruby', ['ruby', '-r', 'json', 'x.rb'], 'x.rb'],
  ['/usr/bin/php8.2', ['php', '-d', 'x=1', 'x.php'], 'x.php'],
  ['/lib64/ld-linux-x86-64.so.2', ['/lib64/ld-linux-x86-64.so.2', '/tmp/minerd'], '/tmp/minerd'],
  ['/lib/ld-musl-x86_64.so.1', ['ld-musl-x86_64.so.1', '--preload', 'x.so', './m'], './m'],
];

describe('interpreter script arguments', () => {
  it.each(cases)('%s %j runs %s', (exe, args, expected) => {
    const kind = interpreterOf(exe, args);
    expect(kind).not.toBeNull();
    expect(scriptArgument(kind!, args)).toBe(expected);
  });

  it('takes no ordinary program for an interpreter', () => {
    expect(interpreterOf('/bin/ls', ['ls', '/tmp'])).toBeNull();
    expect(interpreterOf('/usr/bin/wget', ['wget', 'http://127.0.0.1/x'])).toBeNull();
  });
});
