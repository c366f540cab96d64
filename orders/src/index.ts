import { runServiceCommand } from '@ticketing/service';
import { ordersService } from './service';

// `node orders/dist/index.js` runs the service; with `migrate`, it applies the migrations and exits.
void runServiceCommand(ordersService, process.argv[2]);
