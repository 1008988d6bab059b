// A template deleted from the app while a sync is listing Meta's templates stays deleted: the
// listing began before the delete, so its copy of the template is older than the delete (this
// race brought a deleted template back onto the Templates page, seen in .ci/run).
import type { Database } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { applyTemplateStatus, markNameDeleted, upsertTemplate } from '../../src/templates/repo.js';
import { syncTemplates, type RemoteTemplate } from '../../src/templates/sync.js';
import { testDatabase } from '../helpers/db.js';

const WABA = '102290129340398';
const body = [{ type: 'BODY', text: 'Hola {{1}}, ya está disponible el catálogo.', example: { body_text: [['Ana']] } }];
const remote = (name: string, status = 'APPROVED'): RemoteTemplate => ({ id: `id-${name}`, name, language: 'es', category: 'MARKETING', status, components: body }) as RemoteTemplate;

let db: Database;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => db.close());

const statusOf = async (name: string) =>
  (await db.query<{ status: string }>('SELECT status FROM message_templates WHERE waba_id = $1 AND name = $2', [WABA, name])).rows[0]?.status;

test('a delete that lands while the sync lists Meta wins; the rest of the listing is stored', async () => {
  let t = Date.parse('2026-04-01T12:00:00Z');
  const now = () => new Date((t += 1000));
  for (const name of ['catalogo_nuevo', 'envio_pedido']) {
    await upsertTemplate(db.pool, WABA, { metaTemplateId: `id-${name}`, name, language: 'es', category: 'MARKETING', status: 'PENDING', components: body as never }, now());
  }
  const deps = { db, logger: createLogger('silent'), now };
  const result = await syncTemplates(deps, WABA, async () => {
    await markNameDeleted(db.pool, WABA, 'catalogo_nuevo', now()); // the admin deletes it meanwhile
    return [remote('catalogo_nuevo'), remote('envio_pedido')];
  });
  expect(result.total).toBe(2);
  expect(await statusOf('catalogo_nuevo')).toBe('DELETED');
  expect(await statusOf('envio_pedido')).toBe('APPROVED');
  // A listing that began after the delete and still names it is Meta's newer word: stored.
  await syncTemplates(deps, WABA, async () => [remote('catalogo_nuevo', 'APPROVED'), remote('envio_pedido')]);
  expect(await statusOf('catalogo_nuevo')).toBe('APPROVED');
});

test("Meta's review webhook in flight when the admin deleted the template leaves it deleted", async () => {
  const at = new Date('2026-04-02T12:00:00Z');
  await upsertTemplate(db.pool, WABA, { metaTemplateId: 'id-aviso', name: 'aviso_envio', language: 'es', category: 'UTILITY', status: 'PENDING', components: body as never }, at);
  await markNameDeleted(db.pool, WABA, 'aviso_envio', at);
  const applied = await applyTemplateStatus(db.pool, { wabaId: WABA, metaTemplateId: 'id-aviso', event: 'APPROVED', at });
  expect(applied).toBe(false); // not applied (the webhook handler then re-reads the WABA's list)
  expect(await statusOf('aviso_envio')).toBe('DELETED');
});
