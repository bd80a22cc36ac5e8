import * as fs from 'fs';
import * as path from 'path';

/**
 * Wall-clock time of boot, to turn the sensor's CLOCK_BOOTTIME stamps into dates. Node's hrtime
 * is CLOCK_MONOTONIC, which equals BOOTTIME unless the host was suspended; /proc/uptime is
 * BOOTTIME at 10 ms resolution and is used then.
 */
export function bootEpochMs(procRoot = '/proc'): number {
  const uptimeMs =
    Number(fs.readFileSync(path.join(procRoot, 'uptime'), 'utf8').split(' ')[0]) * 1000;
  const monotonicMs = Number(process.hrtime.bigint()) / 1e6;
  const sinceBootMs = Math.abs(uptimeMs - monotonicMs) < 2000 ? monotonicMs : uptimeMs;
  return Date.now() - sinceBootMs;
}

export function bootNsToEpochMs(bootEpoch: number, timeNs: bigint): number {
  return bootEpoch + Number(timeNs / 1000n) / 1000;
}
