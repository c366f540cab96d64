import { parseArgs } from 'node:util';
import { signToken } from '@ticketing/service';
import { DEVELOPMENT_JWT_KEY } from './development-defaults';

const usage = 'usage: npm run token -- --sub <user id> [--admin] [--expires-in 12h]';

/** The options given; arguments parseArgs refuses are a usage error, answered with the usage, not a stack. */
function options() {
  try {
    return parseArgs({
      options: {
        sub: { type: 'string' },
        admin: { type: 'boolean', default: false },
        'expires-in': { type: 'string', default: '12h' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.sub) {
  console.error(usage);
  process.exit(2);
}

/** Prints a JWT the services accept: signed with $JWT_KEY, or with the key `npm start` uses by default. */
void signToken(process.env.JWT_KEY ?? DEVELOPMENT_JWT_KEY, {
  sub: values.sub,
  admin: values.admin,
  expiresIn: values['expires-in'],
}).then((token) => console.log(token));
