import { SignJWT } from 'jose';
import { ADMIN_ROLE } from '../http/middlewares/require-admin';

export interface TokenRequest {
  sub: string;
  admin?: boolean;
  /** A jose time span: '1h', '30d'. */
  expiresIn?: string;
}

/**
 * Signs an HS256 token the services accept with this JWT_KEY: for development, the demo and tests.
 *
 * @example
 * const token = await signToken(config.JWT_KEY, { sub: 'alice', admin: true, expiresIn: '8h' });
 * await fetch(`${url}/api/payments/admin/attempts`, { headers: { Authorization: `Bearer ${token}` } });
 */
export function signToken(
  jwtKey: string,
  { sub, admin = false, expiresIn = '1h' }: TokenRequest,
): Promise<string> {
  return new SignJWT({ roles: admin ? [ADMIN_ROLE] : [] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(jwtKey));
}
