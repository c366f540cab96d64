/** The client's own server in Kubernetes: its static files, `/config.json` and, in development, the sign-in. */
import { join } from 'node:path';
import { clientApp } from './client-app';
import { clientSettingsFrom } from './client-settings';

const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('PORT must be a port number');
  process.exit(1);
}
try {
  const settings = clientSettingsFrom(process.env);
  const app = clientApp({
    staticDir: process.env.CLIENT_STATIC_DIR ?? join(__dirname, '..', '..', 'dist'),
    settings,
    jwtKey: settings.signIn === 'development' ? process.env.JWT_KEY : undefined,
  });
  const server = app.listen(port, () => console.log(`client listening on ${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
