import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { signToken } from '@ticketing/service';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { ClientSettings } from './client-settings';

export interface ClientAppOptions {
  /** The built client (`vite build`). */
  staticDir: string;
  settings: ClientSettings;
  /** Signs development tokens; only given when the development sign-in is on. */
  jwtKey?: string;
}

const USER_NAME = /^[\w.@-]{1,64}$/;

/** The web client's static files with a single-page fallback, its settings, and the development sign-in. */
export function clientApp({ staticDir, settings, jwtKey }: ClientAppOptions): Express {
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`The client is not built: no index.html in ${staticDir} (npm run build -w client)`);
  }
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(settings);
  });
  if (settings.signIn === 'development' && jwtKey) {
    // Development only: whoever asks is signed in as whoever they say. Production manifests never turn it on.
    app.post('/api/dev/sign-in', express.json({ limit: '1kb' }), async (req, res) => {
      const name: unknown = req.body?.name;
      const admin: unknown = req.body?.admin ?? false;
      const errors = [
        ...(typeof name === 'string' && USER_NAME.test(name)
          ? []
          : [{ field: 'name', message: 'name must be 1 to 64 letters, digits or . _ @ -' }]),
        ...(typeof admin === 'boolean' ? [] : [{ field: 'admin', message: 'admin must be true or false' }]),
      ];
      if (errors.length > 0) {
        res.status(400).json({ errors });
        return;
      }
      const token = await signToken(jwtKey, {
        sub: name as string,
        admin: admin as boolean,
        expiresIn: '12h',
      });
      res.json({ token });
    });
  }
  // Hashed file names never change: cached for a year. index.html is revalidated so a deploy shows at once.
  app.use('/assets', express.static(join(staticDir, 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(staticDir, { index: false }));
  app.get(/^\/(?!api\/).*/, (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(join(staticDir, 'index.html'));
  });
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Route not found' }] });
  });
  app.use(unreadableBody);
  return app;
}

/** A body that is not JSON, or too large: the client's mistake, told in the API's error shape. */
const unreadableBody: ErrorRequestHandler = (
  error: { status?: number; message?: string },
  _req,
  res,
  next,
) => {
  const status = error.status ?? 500;
  if (status < 400 || status >= 500) {
    next(error);
    return;
  }
  res.status(status).json({ errors: [{ message: error.message ?? 'The request body could not be read' }] });
};
