import type { OutboundContent } from './types.js';

/**
 * The Graph body of an interactive list message (notes §8.8): a button that opens up to 10 rows
 * in sections; the customer's pick comes back as `interactive.list_reply` with the row's id.
 */
export function interactiveListBody(content: Extract<OutboundContent, { kind: 'interactive_list' }>): Record<string, unknown> {
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: content.body },
      ...(content.footer ? { footer: { text: content.footer } } : {}),
      action: {
        button: content.button,
        sections: content.sections.map((s) => ({
          ...(s.title ? { title: s.title } : {}),
          rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
        })),
      },
    },
  };
}
