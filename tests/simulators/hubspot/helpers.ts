import request from 'supertest';
import { createHubSpotSimulator, type HubSpotSimulatorOptions } from '../../../simulators/hubspot/index.js';

export const CLIENT_ID = 'client-id-123';
export const CLIENT_SECRET = 'client-secret-456';

export function clock(start = Date.parse('2026-04-01T12:00:00.000Z')) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A simulator with one portal, one installed token and a supertest helper that sends it. */
export function setup(extra: Partial<HubSpotSimulatorOptions> = {}) {
  const c = clock();
  const sim = createHubSpotSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, now: c.now, ...extra });
  const portal = sim.createPortal({
    portalId: 4242,
    domain: 'acme.example.com',
    users: [
      { userId: 1001, email: 'ana@acme.example.com', firstName: 'Ana', lastName: 'Ruiz' },
      { userId: 1002, email: 'bo@acme.example.com', firstName: 'Bo', lastName: 'Li' },
    ],
  });
  const token = sim.issueTokens({ portalId: portal.portalId }).access_token;
  const api = {
    get: (path: string) => request(sim.app).get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) => request(sim.app).post(path).set('Authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body?: object) => request(sim.app).patch(path).set('Authorization', `Bearer ${token}`).send(body),
    put: (path: string, body?: object) => request(sim.app).put(path).set('Authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => request(sim.app).delete(path).set('Authorization', `Bearer ${token}`),
  };
  return { sim, portal, token, api, clock: c };
}

export const CONTACTS = '/crm/objects/2026-03/contacts';
export const COMMS = '/crm/objects/2026-03/communications';
export const TASKS = '/crm/objects/2026-03/tasks';
