/** The baseline: express + pg and nothing else, one INSERT per POST. What the orders service is measured against. */
import { randomUUID } from 'node:crypto';
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.use(express.json());
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});
app.post('/api/orders', async (req, res) => {
  const { rows } = await pool.query('insert into bare_orders (id, ticket_id) values ($1, $2) returning id', [
    randomUUID(),
    req.body.ticketId,
  ]);
  res.status(201).json(rows[0]);
});
app.listen(Number(process.env.PORT));
// Exits normally when stopped, so that a profile (BENCH_NODE_ARGS=--cpu-prof) is written.
process.once('SIGTERM', () => process.exit(0));
