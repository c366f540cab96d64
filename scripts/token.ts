import { parseArgs } from 'node:util';
import { signToken } from '@ticketing/common';
import { DEVELOPMENT_JWT_KEY } from './development-defaults';

const usage = 'usage: npm run token -- --sub <user id> [--admin] [--expires-in 12h]';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    admin: { type: 'boolean', default: false },
    'expires-in': { type: 'string', default: '12h' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.sub) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

/** Prints a JWT the services accept: signed with $JWT_KEY, or with the key `npm start` uses by default. */
void signToken(process.env.JWT_KEY ?? DEVELOPMENT_JWT_KEY, {
  sub: values.sub,
  admin: values.admin,
  expiresIn: values['expires-in'],
}).then((token) => console.log(token));
