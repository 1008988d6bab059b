import type { BotFlow } from './types';

/** Bot flows an admin starts from and then edits (F10). Ids are filled in by the backend. */
export const BOT_FLOW_TEMPLATES: { id: string; label: string; flow: BotFlow }[] = [
  {
    id: 'menu_and_email',
    label: 'Greeting, menu (sales / support) and email',
    flow: {
      enabled: true,
      template: 'menu_and_email',
      maxRetries: 2,
      steps: [
        { id: 'greeting', type: 'greeting', text: { es: '¡Hola! Soy el asistente virtual.', en: 'Hi! I am the virtual assistant.' } },
        {
          id: 'menu',
          type: 'menu',
          text: { es: '¿En qué te podemos ayudar?', en: 'How can we help you?' },
          options: [
            { id: 'sales', title: { es: 'Ventas', en: 'Sales' }, route: { to: 'pool' } },
            { id: 'support', title: { es: 'Soporte', en: 'Support' }, route: { to: 'pool' } },
          ],
        },
        { id: 'email', type: 'collect', text: { es: '¿Cuál es tu correo electrónico?', en: 'What is your email address?' }, field: 'email', property: 'email' },
      ],
    },
  },
  {
    id: 'lead_capture',
    label: 'Greeting and company name',
    flow: {
      enabled: true,
      template: 'lead_capture',
      maxRetries: 2,
      steps: [
        { id: 'greeting', type: 'greeting', text: { es: '¡Gracias por escribirnos!', en: 'Thanks for writing to us!' } },
        { id: 'company', type: 'collect', text: { es: '¿Cómo se llama tu empresa?', en: 'What is your company called?' }, field: 'company', property: 'company' },
      ],
    },
  },
  {
    id: 'teams_list_and_order',
    label: 'Menu of five teams (a list) and the order number',
    flow: {
      enabled: true,
      template: 'teams_list_and_order',
      maxRetries: 2,
      steps: [
        { id: 'greeting', type: 'greeting', text: { es: '¡Hola! Gracias por escribirnos.', en: 'Hi! Thanks for writing to us.' } },
        {
          id: 'menu',
          type: 'menu',
          text: { es: '¿Con qué equipo quieres hablar?', en: 'Which team do you want to talk to?' },
          options: [
            { id: 'sales', title: { es: 'Ventas', en: 'Sales' }, route: { to: 'pool' } },
            { id: 'support', title: { es: 'Soporte', en: 'Support' }, route: { to: 'pool' } },
            { id: 'billing', title: { es: 'Facturación', en: 'Billing' }, route: { to: 'pool' } },
            { id: 'shipping', title: { es: 'Envíos', en: 'Shipping' }, route: { to: 'pool' } },
            { id: 'other', title: { es: 'Otro tema', en: 'Something else' }, route: { to: 'pool' } },
          ],
        },
        {
          id: 'order',
          type: 'collect',
          text: { es: '¿Cuál es tu número de pedido?', en: 'What is your order number?' },
          field: 'order_number',
          property: 'numero_pedido',
          propertyLabel: 'Número de pedido',
        },
      ],
    },
  },
  {
    id: 'name_and_menu',
    label: 'Name, then a menu of three teams',
    flow: {
      enabled: true,
      template: 'name_and_menu',
      maxRetries: 2,
      steps: [
        { id: 'name', type: 'collect', text: { es: '¡Hola! ¿Cuál es tu nombre?', en: 'Hi! What is your name?' }, field: 'text', property: 'firstname' },
        {
          id: 'menu',
          type: 'menu',
          text: { es: '¿Con qué equipo quieres hablar?', en: 'Which team do you want to talk to?' },
          options: [
            { id: 'sales', title: { es: 'Ventas', en: 'Sales' }, route: { to: 'pool' } },
            { id: 'support', title: { es: 'Soporte', en: 'Support' }, route: { to: 'pool' } },
            { id: 'billing', title: { es: 'Facturación', en: 'Billing' }, route: { to: 'pool' } },
          ],
        },
      ],
    },
  },
];
