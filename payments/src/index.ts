import { runService } from '@ticketing/common';
import { paymentsService } from './service';

void runService(paymentsService);
