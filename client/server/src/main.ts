/** The client's own server in Kubernetes: its static files, `/config.json` and, in development, the sign-in. */
import { join } from 'node:path';
import { answerParserRefusals, portNumber } from '@ticketing/service';
import { clientApp } from './client-app';
import { clientSettingsFrom } from './client-settings';

try {
  const port = portNumber.parse(process.env.PORT ?? 3000);
  const settings = clientSettingsFrom(process.env);
  const app = clientApp({
    staticDir: process.env.CLIENT_STATIC_DIR ?? join(__dirname, '..', '..', 'dist'),
    settings,
    jwtKey: settings.signIn === 'development' ? process.env.JWT_KEY : undefined,
  });
  const server = app.listen(port, () => console.log(`client listening on ${port}`));
  answerParserRefusals(server);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
