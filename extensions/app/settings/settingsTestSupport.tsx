// Test-only fixtures and a mount helper for the settings tests.
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { ok, type FakeBackend } from '../cards/fakeBackend';
import { SettingsView } from './SettingsView';
import type { Agent, Me, Owner, Settings, WhatsAppNumber } from './types';

export { fire, textOf } from '../cards/cardTestSupport';

export const BASE = 'https://api.test.example';

export const SETTINGS: Settings = {
  consent: {
    text: {
      es: 'Para atenderte necesitamos tu autorización para tratar tus datos. ¿Aceptas?',
      en: 'To help you we need your consent to process your data. Do you accept?',
    },
    policyUrl: 'https://acme.co/privacidad',
    version: 3,
    language: 'es',
  },
  routing: { method: 'round_robin', perNumber: { '2222222': 'contact_owner' }, lastAgentDays: 30, fallback: 'round_robin' },
  businessHours: {
    timeZone: 'America/Bogota',
    weekly: {
      mon: [{ from: '09:00', to: '18:00' }],
      tue: [{ from: '09:00', to: '18:00' }],
      wed: [{ from: '09:00', to: '18:00' }],
      thu: [{ from: '09:00', to: '18:00' }],
      fri: [
        { from: '09:00', to: '13:00' },
        { from: '14:00', to: '17:00' },
      ],
      sat: [],
      sun: [],
    },
    holidays: ['2026-12-25'],
  },
  resolutionLabels: ['Resolved by Corporate', 'Resolved by Premium'],
  autoClose: { enabled: true },
  quickReplies: [{ id: 'qr1', phoneNumberId: null, title: 'Greeting', text: 'Hola, gracias por escribirnos.' }],
  optOutKeywords: ['STOP', 'BAJA'],
  optInKeywords: ['START'],
  windowAlertMinutes: 120,
};

export const NUMBERS: WhatsAppNumber[] = [
  { phoneNumberId: '1098765', wabaId: '555000', label: 'Customer Support', displayPhoneNumber: '+57 300 0000001', qualityRating: 'GREEN' },
  { phoneNumberId: '2222222', wabaId: '555000', label: 'Customer Success', displayPhoneNumber: '+57 300 0000002', qualityRating: 'GREEN' },
];

export const AGENTS: Agent[] = [
  {
    agentId: 'ag_1',
    ownerId: '9001',
    userId: 11,
    email: 'ana@acme.co',
    name: 'Ana Pérez',
    active: true,
    available: true,
    outOfOffice: [{ from: '2026-12-24', to: '2026-12-31' }],
  },
];

export const OWNERS: Owner[] = [
  { ownerId: '9001', userId: 11, email: 'ana@acme.co', name: 'Ana Pérez' },
  { ownerId: '9002', userId: 12, email: 'carlos@acme.co', name: 'Carlos Ruiz' },
];

export const ME_ADMIN: Me = { userId: 1, ownerId: '9009', agent: null, isAdmin: true };

export function defaultSettingsRoutes(backend: FakeBackend) {
  backend.on('GET', '/api/v1/settings', ok(SETTINGS));
  backend.on('GET', '/api/v1/whatsapp-numbers', ok({ numbers: NUMBERS }));
  backend.on('GET', '/api/v1/agents', ok({ agents: AGENTS }));
  backend.on('GET', '/api/v1/owners', ok({ owners: OWNERS }));
  backend.on('GET', '/api/v1/me', ok(ME_ADMIN));
  // Echo the body back, bumping the consent version when its text changed, as the backend does.
  backend.on('PUT', '/api/v1/settings', (req) => {
    const s = req.body as unknown as Settings;
    const changed = JSON.stringify(s.consent.text) !== JSON.stringify(SETTINGS.consent.text);
    return ok({
      ...s,
      consent: { ...s.consent, version: changed ? SETTINGS.consent.version + 1 : SETTINGS.consent.version },
      quickReplies: s.quickReplies.map((q, i) => ({ ...q, id: q.id || `qr_new_${i}` })),
    });
  });
  backend.on('PUT', '/api/v1/agents', (req) =>
    ok({
      agents: (req.body?.agents as Agent[]).map((a, i) => ({ ...a, agentId: a.agentId ?? `ag_new_${i}` })),
    }),
  );
}

export function mountSettings() {
  const r = createRenderer('settings');
  const context = { ...r.mocks.context, variables: { apiBaseUrl: BASE } };
  r.render(<SettingsView context={context} />);
  return r;
}
