import { runService } from '@ticketing/common';
import { ordersService } from './service';

void runService(ordersService);
