import { commentFrame, eventFrame, retryFrame } from '../src/http/live/event-stream-frames';
import { lastEventId, snapshotOf } from '../src/http/live/state-snapshot';
import { EventStreamParser } from '@ticketing/testing';

describe('event stream frames', () => {
  it('writes an event as id, event and data lines ended by a blank line', () => {
    expect(eventFrame({ event: 'state', id: 'abc', data: '{"a":1}' })).toBe(
      'id: abc\nevent: state\ndata: {"a":1}\n\n',
    );
    expect(eventFrame({ event: 'state', data: '{}' })).toBe('event: state\ndata: {}\n\n');
  });

  it('gives each line of the data a data field of its own', () => {
    expect(eventFrame({ event: 'note', data: 'one\ntwo\r\nthree' })).toBe(
      'event: note\ndata: one\ndata: two\ndata: three\n\n',
    );
  });

  it('refuses a line break in a field that must stay on one line', () => {
    expect(() => eventFrame({ event: 'state', id: 'a\nevent: forged', data: '{}' })).toThrow(/id/);
    expect(() => eventFrame({ event: 'a\rb', data: '{}' })).toThrow(/event/);
    expect(() => commentFrame('x\ny')).toThrow(/comment/);
  });

  it('writes comments and the reconnection delay', () => {
    expect(commentFrame('heartbeat')).toBe(': heartbeat\n\n');
    expect(retryFrame(2000)).toBe('retry: 2000\n\n');
  });

  it('reads back what it writes, whatever the chunks it arrives in', () => {
    const text =
      retryFrame(2000) +
      eventFrame({ event: 'state', id: 'h1', data: '{"x":"a\\nb"}' }) +
      commentFrame('heartbeat') +
      eventFrame({ event: 'note', data: 'one\ntwo' });
    const expected = [
      { retry: 2000, comments: [] },
      { event: 'state', id: 'h1', data: '{"x":"a\\nb"}', comments: [] },
      { comments: ['heartbeat'] },
      { event: 'note', data: 'one\ntwo', comments: [] },
    ];
    for (const size of [1, 3, 7, text.length]) {
      const parser = new EventStreamParser();
      const frames = [];
      for (let at = 0; at < text.length; at += size) frames.push(...parser.push(text.slice(at, at + size)));
      expect(frames).toEqual(expected);
    }
  });

  it('reads CRLF line ends', () => {
    expect(new EventStreamParser().push('event: state\r\ndata: {}\r\n\r\n')).toEqual([
      { event: 'state', data: '{}', comments: [] },
    ]);
  });
});

describe('state snapshots', () => {
  it('gives equal states the same short id and different states different ids', () => {
    const first = snapshotOf({ id: 'o1', status: 'created' });
    expect(first.json).toBe('{"id":"o1","status":"created"}');
    expect(first.id).toMatch(/^[\w-]{16}$/);
    expect(snapshotOf({ id: 'o1', status: 'created' }).id).toBe(first.id);
    expect(snapshotOf({ id: 'o1', status: 'cancelled' }).id).not.toBe(first.id);
  });

  it('takes the state the client has from Last-Event-ID, or else from ?lastEventId=', () => {
    expect(lastEventId({ headers: { 'last-event-id': 'h1' }, query: { lastEventId: 'h2' } })).toBe('h1');
    expect(lastEventId({ headers: {}, query: { lastEventId: 'h2' } })).toBe('h2');
    expect(lastEventId({ headers: { 'last-event-id': '' }, query: { lastEventId: 'h2' } })).toBe('h2');
    expect(lastEventId({ headers: {}, query: {} })).toBeUndefined();
    expect(lastEventId({ headers: {}, query: { lastEventId: '' } })).toBeUndefined();
    expect(lastEventId({ headers: {}, query: { lastEventId: ['h1', 'h2'] } })).toBeUndefined();
  });
});
