// The demo's cast: one HubSpot account, one WhatsApp number, three agents, three customers, templates.
// Everything here is fake and fixed, so re-running the demo finds the same ids.
import type { SeedTemplateInput, SimNumber } from '../meta/index.js';

/** Fixed demo secrets (never used outside the demo: the simulators accept them and nothing else does). */
export const DEMO_SECRETS = {
  HUBSPOT_CLIENT_ID: 'demo-hubspot-client-id',
  HUBSPOT_CLIENT_SECRET: 'demo-hubspot-client-secret',
  WHATSAPP_APP_SECRET: 'demo-meta-app-secret',
  WHATSAPP_VERIFY_TOKEN: 'demo-meta-verify-token',
  /** 32 bytes, base64: encrypts the stored tokens of the demo install. */
  ENCRYPTION_KEY: Buffer.from('whatsapp-for-hubspot-demo-key-32').toString('base64'),
};

export interface DemoUser {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
}

/** The HubSpot account the demo installs the app into. */
export const DEMO_PORTAL = {
  portalId: 48151623,
  domain: 'acme-demo.hubspot.example',
  /** Installs the app and connects the number (a super admin in HubSpot). */
  admin: { userId: 1001, email: 'laura.gomez@acme.example', firstName: 'Laura', lastName: 'Gómez' } satisfies DemoUser,
  /** The three reps who answer WhatsApp (round-robin). */
  agents: [
    { userId: 2001, email: 'ana.perez@acme.example', firstName: 'Ana', lastName: 'Pérez' },
    { userId: 2002, email: 'carlos.ruiz@acme.example', firstName: 'Carlos', lastName: 'Ruiz' },
    { userId: 2003, email: 'sofia.martinez@acme.example', firstName: 'Sofía', lastName: 'Martínez' },
  ] satisfies DemoUser[],
};

/** The company's WhatsApp Business number in the Meta simulator. */
export const DEMO_NUMBER: SimNumber & { label: string } = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '+57 601 555 0100',
  verifiedName: 'Acme Colombia',
  accessToken: 'EAAGdemo0WhatsApp0for0HubSpot0System0User0Token0ZBZC',
  qualityRating: 'GREEN',
  label: 'Customer Support',
};

export interface DemoCustomer {
  waId: string;
  phone: string;
  name: string;
  firstName: string;
  lastName: string;
  email: string;
  language: 'es' | 'en';
  city: string;
  /** Already a contact in the CRM before writing (matched by phone); otherwise the app creates it. */
  inCrm: boolean;
  /** Index into DEMO_PORTAL.agents of the contact owner in HubSpot (CRM contacts only). */
  ownerIndex?: number;
  /** A first message the phone suggests. */
  suggestion: string;
}

export const DEMO_CUSTOMERS: DemoCustomer[] = [
  {
    waId: '573001234567',
    phone: '+573001234567',
    name: 'María González',
    firstName: 'María',
    lastName: 'González',
    email: 'maria.gonzalez@example.com',
    language: 'es',
    city: 'Bogotá',
    inCrm: true,
    ownerIndex: 0,
    suggestion: 'Hola, quiero saber el estado de mi pedido #4821',
  },
  {
    waId: '14155550142',
    phone: '+14155550142',
    name: 'John Carter',
    firstName: 'John',
    lastName: 'Carter',
    email: 'john.carter@example.com',
    language: 'en',
    city: 'San Francisco',
    inCrm: true,
    ownerIndex: 1,
    suggestion: 'Hi! Can I change the delivery address of my order?',
  },
  {
    waId: '525512345678',
    phone: '+525512345678',
    name: 'Lucía Fernández',
    firstName: 'Lucía',
    lastName: 'Fernández',
    email: '',
    language: 'es',
    city: 'Ciudad de México',
    inCrm: false,
    suggestion: 'Buenas tardes, ¿tienen envíos a Ciudad de México?',
  },
];

/** Resolution labels of the demo account (resolve requires one). */
export const DEMO_LABELS = ['Resolved by Corporate', 'Resolved by Plus', 'Resolved by Premium', 'No reply from customer'];

export const DEMO_QUICK_REPLIES = [
  { title: 'Saludo', text: '¡Hola! Soy parte del equipo de Acme. ¿En qué te puedo ayudar?' },
  { title: 'Greeting', text: 'Hi! I am part of the Acme team. How can I help you today?' },
  { title: 'Envío', text: 'Tu pedido sale de nuestra bodega en 24 horas hábiles y llega en 2 a 4 días.' },
];

const body = (text: string, example: string[]) => ({ type: 'BODY', text, example: { body_text: [example] } });
const footer = (text: string) => ({ type: 'FOOTER', text });
const quickReplies = (...titles: string[]) => ({ type: 'BUTTONS', buttons: titles.map((text) => ({ type: 'QUICK_REPLY', text })) });

/** Approved templates in Spanish and English (seeded in the Meta simulator, then synced by the app). */
export function demoTemplates(wabaId: string): SeedTemplateInput[] {
  return [
    {
      wabaId,
      name: 'order_update',
      language: 'es',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Actualización de tu pedido' },
        body('Hola {{1}}, tu pedido {{2}} ya va en camino y llegará el {{3}}.', ['María', '#4821', 'viernes 14']),
        footer('Acme Colombia'),
      ],
    },
    {
      wabaId,
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Your order update' },
        body('Hi {{1}}, your order {{2}} is on its way and will arrive on {{3}}.', ['John', '#4821', 'Friday 14th']),
        footer('Acme Colombia'),
      ],
    },
    {
      wabaId,
      name: 'follow_up',
      language: 'es',
      category: 'UTILITY',
      components: [
        body('Hola {{1}}, ¿pudimos resolver tu solicitud? Si necesitas algo más, responde a este mensaje.', ['María']),
        quickReplies('Sí, todo bien', 'Necesito ayuda'),
      ],
    },
    {
      wabaId,
      name: 'follow_up',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        body('Hi {{1}}, did we solve your request? If you need anything else, just reply to this message.', ['John']),
        quickReplies('All good', 'I need help'),
      ],
    },
    {
      wabaId,
      name: 'appointment_reminder',
      language: 'es',
      category: 'UTILITY',
      components: [
        body('Hola {{1}}, te recordamos tu cita del {{2}} a las {{3}}. Responde a este mensaje si necesitas cambiarla.', ['María', 'martes 18', '10:30']),
        footer('Acme Colombia'),
      ],
    },
    {
      wabaId,
      name: 'appointment_reminder',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        body('Hi {{1}}, a reminder of your appointment on {{2}} at {{3}}. Reply to this message if you need to change it.', ['John', 'Tuesday 18th', '10:30']),
        footer('Acme Colombia'),
      ],
    },
  ];
}

export const fullName = (u: { firstName: string; lastName: string }): string => `${u.firstName} ${u.lastName}`;
