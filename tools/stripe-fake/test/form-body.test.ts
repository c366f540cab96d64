import { FormBodyError, parseFormBody } from '../src/form-body';

describe('parseFormBody', () => {
  it('reads flat parameters, decoding percent escapes and + as a space', () => {
    expect(parseFormBody('amount=2000&currency=usd&description=Two+tickets%20%26%20more')).toEqual({
      amount: '2000',
      currency: 'usd',
      description: 'Two tickets & more',
    });
  });

  it('nests bracketed keys, whether or not the brackets are percent-encoded', () => {
    expect(parseFormBody('metadata[orderId]=o_1&metadata%5BuserId%5D=u_1&a[b][c]=deep')).toEqual({
      metadata: { orderId: 'o_1', userId: 'u_1' },
      a: { b: { c: 'deep' } },
    });
  });

  it('appends empty-bracket keys to an array, in order', () => {
    expect(parseFormBody('expand[]=latest_charge&expand[]=payment_method')).toEqual({
      expand: ['latest_charge', 'payment_method'],
    });
  });

  it('keeps indexed keys (how the SDK sends arrays) as an object for the reader to order', () => {
    expect(parseFormBody('expand[1]=payment_method&expand[0]=latest_charge')).toEqual({
      expand: { '1': 'payment_method', '0': 'latest_charge' },
    });
  });

  it('fills arrays of objects as Rack does: a repeated key starts the next element', () => {
    expect(parseFormBody('items[][price]=p_1&items[][quantity]=2&items[][price]=p_2')).toEqual({
      items: [{ price: 'p_1', quantity: '2' }, { price: 'p_2' }],
    });
  });

  it('reads a key without = as empty, an empty value as empty, and keeps the last of repeated keys', () => {
    expect(parseFormBody('metadata=&flag&currency=usd&currency=eur')).toEqual({
      metadata: '',
      flag: '',
      currency: 'eur',
    });
  });

  it('ignores empty pairs and returns nothing for an empty body', () => {
    expect(parseFormBody('')).toEqual({});
    expect(parseFormBody('&&amount=1&')).toEqual({ amount: '1' });
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = parseFormBody('metadata[__proto__]=x&__proto__[polluted]=yes');
    expect(Object.keys(parsed.metadata as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['a value and then an object for one key', 'a=1&a[b]=2'],
    ['an object and then a value for one key', 'a[b]=2&a=1'],
    ['an array and then named keys', 'a[]=1&a[b]=2'],
    ['named keys and then an array', 'a[b]=1&a[]=2'],
    ['nested arrays', 'a[][]=1'],
    ['a name with stray brackets', 'a]b=1'],
    ['a name that is only brackets', '[a]=1'],
    ['a broken percent escape', 'a=%E0%A4%A'],
  ])('refuses %s', (_description, body) => {
    expect(() => parseFormBody(body)).toThrow(FormBodyError);
  });
});
