// A rep's attachment from the card (issue 12, SPEC F14): the card asks for a short-lived link through
// hubspot.fetch and opens the upload page in HubSpot's iframe modal; the file goes straight to our
// page (never through hubspot.fetch) and reaches the customer once. The link is single-use.
import request from 'supertest';
import { sampleInvoicePdf } from '../../simulators/demo/samples.js';
import { startStack, type Stack } from '../helpers/full-stack.js';
import { waitFor } from '../helpers/wait.js';

const WA = '573001234567';
let s: Stack;

beforeAll(async () => {
  s = await startStack();
}, 180_000);
afterAll(() => s?.close());

test('the upload page sends the file to the customer once; the same link a second time is refused', async () => {
  const { contactId } = await s.consentedCustomer(WA, 'Lina Ortiz', 'Hola, ¿me envían la factura?');
  const hs = await waitFor(() => s.row('SELECT hubspot_contact_id AS id FROM contacts WHERE id = $1 AND hubspot_contact_id IS NOT NULL', [contactId]), 'the HubSpot contact');
  const link = await s.api('POST', `/api/v1/contacts/${hs.id}/upload-links`);
  expect(link.status).toBe(201);
  const path = new URL(link.body.url).pathname;
  expect((await request(s.rt.app).get(path)).status).toBe(200);

  const post = () => request(s.rt.app).post(path).field('caption', 'Su factura').attach('file', sampleInvoicePdf('Lina Ortiz'), 'factura-4821.pdf');
  const first = await post();
  expect(first.status).toBe(201);
  expect(first.body.message).toMatchObject({ direction: 'out' });
  const docs = () => s.inbox(WA).filter((m) => m.type === 'document');
  const doc = await waitFor(() => docs()[0], 'the document at the customer');
  expect(doc.request).toMatchObject({ document: { filename: 'factura-4821.pdf', caption: 'Su factura' } });

  const again = await post();
  expect(again.status).toBe(410);
  expect(again.body.error.code).toBe('LINK_EXPIRED');
  expect((await request(s.rt.app).get(path)).status).toBe(410);
  await s.rt.idle();
  expect(docs()).toHaveLength(1);
}, 120_000);
