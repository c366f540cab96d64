import { runServiceCommand } from '@ticketing/service';
import { paymentsService } from './service';

// `node payments/dist/index.js` runs the service; with `migrate`, it applies the migrations and exits.
void runServiceCommand(paymentsService, process.argv[2]);
