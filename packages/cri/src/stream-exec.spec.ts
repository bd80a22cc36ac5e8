import { exitCodeOf } from './stream-exec';

describe('exitCodeOf', () => {
  it('reads a successful status as exit code 0', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
  });

  it('reads the ExitCode cause of a NonZeroExitCode failure', () => {
    const status = {
      status: 'Failure',
      message: 'command terminated with non-zero exit code: exit status 137',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '137' }] },
    };
    expect(exitCodeOf(status)).toBe(137);
  });

  it('turns a failure without an exit code into an error that keeps the runtime message', () => {
    const status = {
      status: 'Failure',
      reason: 'InternalError',
      message: 'exec: "nope": executable file not found in $PATH',
    };
    expect(exitCodeOf(status)).toEqual(
      new Error('InternalError: exec: "nope": executable file not found in $PATH'),
    );
  });
});
