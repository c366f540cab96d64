import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import { parsePubAck } from '../src/outbox/pub-ack-publisher';

function reply(body: string, hdrs?: Partial<MsgHdrs>): Msg {
  return { string: () => body, headers: hdrs } as unknown as Msg;
}

describe('parsePubAck', () => {
  it('returns the stream, sequence number and duplicate flag of a PubAck', () => {
    expect(parsePubAck(reply('{"stream":"ORDERS","seq":7}'))).toEqual({
      stream: 'ORDERS',
      seq: 7,
      duplicate: false,
    });
    expect(parsePubAck(reply('{"stream":"ORDERS","seq":7,"duplicate":true}')).duplicate).toBe(true);
  });

  it('fails on a JetStream error, a reply without a stream, and no responders', () => {
    expect(() =>
      parsePubAck(
        reply('{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}'),
      ),
    ).toThrow(/expected stream does not match/);
    expect(() => parsePubAck(reply('{"stream":"","seq":1}'))).toThrow(/invalid PubAck/);
    const noResponders = headers(503, 'No Responders');
    expect(() => parsePubAck(reply('', noResponders))).toThrow(/no responders/);
  });
});
