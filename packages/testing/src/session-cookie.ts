/**
 * A `Cookie` header carrying the token the way the course's cookie-session did (`{ "jwt": ... }`, base64):
 * what a browser's EventSource authenticates with, since it cannot send an Authorization header.
 *
 * @example
 * const cookie = sessionCookie(await signToken(TEST_JWT_KEY, { sub: 'alice' }));
 * await request(url).get('/api/orders').set('Cookie', cookie).expect(200);
 */
export function sessionCookie(token: string): string {
  return `session=${encodeURIComponent(Buffer.from(JSON.stringify({ jwt: token })).toString('base64'))}`;
}
