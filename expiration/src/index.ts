import { runServiceCommand } from '@ticketing/service';
import { expirationService } from './service';

// `node expiration/dist/index.js` runs the service; with `migrate`, it applies the migrations and exits.
void runServiceCommand(expirationService, process.argv[2]);
