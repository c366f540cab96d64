import { unsupportedServerReason } from '../src/server-requirements';

describe('the nats-server the bus accepts', () => {
  it('accepts 2.9 (Debian) and every later server', () => {
    for (const version of ['2.9.0', '2.9.10', 'v2.10.4', '2.11.0-beta.1', '3.0.0']) {
      expect(unsupportedServerReason(version)).toBeUndefined();
    }
  });

  it('refuses an older server, or one that does not say which it is, naming what is needed', () => {
    expect(unsupportedServerReason('2.8.4')).toBe(
      'nats-server 2.8.4 is too old: the bus needs 2.9.0 or later',
    );
    expect(unsupportedServerReason('1.4.1')).toMatch(/too old/);
    expect(unsupportedServerReason(undefined)).toMatch(/did not report a version/);
    expect(unsupportedServerReason('dev')).toMatch(/did not report a version/);
  });
});
