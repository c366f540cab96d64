import { containsPattern, listTicketsQuery } from '../src/routes/tickets/list-tickets';

describe('ticket search', () => {
  it('takes LIKE wildcards and the escape character literally', () => {
    expect(containsPattern('50% off')).toBe('%50\\% off%');
    expect(containsPattern('a_b')).toBe('%a\\_b%');
    expect(containsPattern('C:\\dir')).toBe('%C:\\\\dir%');
    expect(containsPattern('Opera')).toBe('%Opera%');
  });

  it('trims q and wants 1 to 100 characters of it', () => {
    expect(listTicketsQuery.parse({ q: '  Jazz night ' }).q).toBe('Jazz night');
    for (const q of ['', '   ', 'x'.repeat(101), ['a', 'b']]) {
      const result = listTicketsQuery.safeParse({ q });
      expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['q']);
    }
    expect(listTicketsQuery.parse({ q: ` ${'x'.repeat(100)} ` }).q).toHaveLength(100);
  });
});
