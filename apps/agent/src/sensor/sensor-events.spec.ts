import { parseSensorLine, SensorParseError, sensorStringToBytes } from './sensor-events';

const EXEC_LINE =
  '{"k":"exec","t":"9007199254740993","pid":10,"tgid":10,"ppid":1,"cg":"18446744073709551615",' +
  '"uid":0,"gid":0,"mntns":4026531832,"pidns":4026531836,"comm":"miner","file":"./miner",' +
  '"argv":["./miner","-o","x"],"argv_trunc":false,"dev":41,"ino":"2146793","size":9080,' +
  '"mtime_s":1796401415,"mtime_ns":653658304,"ctime_s":1796401415,"ctime_ns":1,' +
  '"flags":["upper_layer","interpreter"],"mode":"protect","verdict":"killed","killed":true,"scan":false}';

describe('parseSensorLine', () => {
  it('keeps 64-bit times and ids exact, beyond what a JSON number can hold', () => {
    const event = parseSensorLine(EXEC_LINE);
    expect(event).toMatchObject({
      kind: 'exec',
      timeNs: 9007199254740993n,
      cgroupId: '18446744073709551615',
      mtimeNs: 1796401415653658304n,
      ctimeNs: 1796401415000000001n,
    });
  });

  it('turns the flag names into booleans', () => {
    const event = parseSensorLine(EXEC_LINE);
    expect(event.kind === 'exec' && event.flags).toEqual({
      upperLayer: true,
      memfd: false,
      nonImageFs: false,
      interpreter: true,
    });
  });

  it('names the field that does not fit the format', () => {
    expect(() => parseSensorLine(EXEC_LINE.replace('"pid":10', '"pid":"10"'))).toThrow(
      /"pid" should be an integer/,
    );
    expect(() => parseSensorLine(EXEC_LINE.replace('"upper_layer"', '"haunted"'))).toThrow(
      /"flags" should be made of upper_layer, memfd, non_image_fs, interpreter, not haunted/,
    );
    expect(() =>
      parseSensorLine(EXEC_LINE.replace('"killed","killed"', '"maimed","killed"')),
    ).toThrow(/"verdict" should be one of none, clean, drift, killed, excepted/);
  });

  it('rejects lines that are not JSON objects of a known kind', () => {
    expect(() => parseSensorLine('not json')).toThrow(SensorParseError);
    expect(() => parseSensorLine('[1]')).toThrow(/expected a JSON object/);
    expect(() => parseSensorLine('{"k":"gossip"}')).toThrow(/unknown kind "gossip"/);
  });

  it('reads acknowledgements with and without a file identity', () => {
    expect(parseSensorLine('{"k":"ack","ok":true,"cmd":"except","dev":41,"ino":"7"}')).toEqual({
      kind: 'ack',
      ok: true,
      command: 'except',
      dev: 41,
      ino: '7',
    });
    expect(parseSensorLine('{"k":"ack","ok":false,"cmd":"mode","err":"mode: bad"}')).toEqual({
      kind: 'ack',
      ok: false,
      command: 'mode',
      error: 'mode: bad',
    });
  });
});

describe('sensorStringToBytes', () => {
  it('restores escaped non-UTF-8 bytes and keeps real text as UTF-8', () => {
    expect(sensorStringToBytes('a\udcff\udc80é')).toEqual(
      Buffer.from([0x61, 0xff, 0x80, 0xc3, 0xa9]),
    );
  });
});
