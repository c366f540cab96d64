import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentUser } from '@ticketing/service';
import express from 'express';
import request from 'supertest';
import { clientApp } from '../server/src/client-app';
import type { ClientSettings } from '../server/src/client-settings';

const JWT_KEY = 'client-app-test-key';

function builtClient(): string {
  const dir = mkdtempSync(join(tmpdir(), 'client-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ticketing</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("client")');
  return dir;
}

const settings = (signIn: ClientSettings['signIn']): ClientSettings => ({
  signIn,
  identityProviderUrl: null,
  stripePublishableKey: null,
  stripeFakeUrl: 'http://127.0.0.1:12111',
});

describe('the client server', () => {
  const staticDir = builtClient();
  const development = clientApp({ staticDir, settings: settings('development'), jwtKey: JWT_KEY });
  const production = clientApp({ staticDir, settings: settings('token') });

  it('serves the page for every client route, and hashed assets cached for good', async () => {
    for (const path of ['/', '/orders/5e0c2a4e-6d4b-4b8e-9e2f-6f3c9a1b2c3d', '/admin']) {
      const page = await request(production).get(path).expect(200);
      expect(page.text).toContain('<div id="root">');
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const asset = await request(production).get('/assets/index-abc123.js').expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('answers unknown API paths with the API’s JSON 404, not the page', async () => {
    const response = await request(production).get('/api/nothing-here').expect(404);
    expect(response.body.errors[0].message).toBe('Route not found');
  });

  it('tells the browser its settings, which hold no secret', async () => {
    const response = await request(development).get('/config.json').expect(200);
    expect(response.body).toEqual(settings('development'));
    expect(JSON.stringify(response.body)).not.toContain(JWT_KEY);
  });

  it('signs development tokens the services accept, for a name and an admin flag', async () => {
    const { token } = (
      await request(development).post('/api/dev/sign-in').send({ name: 'ada', admin: true }).expect(200)
    ).body as { token: string };
    const service = express()
      .use(currentUser({ jwtKey: JWT_KEY }))
      .get('/me', (req, res) => {
        res.json(req.currentUser ?? null);
      });
    const me = await request(service).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toEqual({ id: 'ada', roles: ['admin'] });
  });

  it('refuses a bad sign-in with the field at fault', async () => {
    const response = await request(development)
      .post('/api/dev/sign-in')
      .send({ name: 'no spaces <script>', admin: 'yes' })
      .expect(400);
    expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      'admin',
      'name',
    ]);
    await request(development).post('/api/dev/sign-in').send({}).expect(400);
    const garbled = await request(development)
      .post('/api/dev/sign-in')
      .set('Content-Type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(garbled.body.errors).toHaveLength(1);
  });

  it('has no sign-in route at all when the development sign-in is off', async () => {
    await request(production).post('/api/dev/sign-in').send({ name: 'mallory', admin: true }).expect(404);
  });

  it('refuses to start without a built client', () => {
    expect(() => clientApp({ staticDir: tmpdir(), settings: settings('token') })).toThrow(/not built/);
  });
});
