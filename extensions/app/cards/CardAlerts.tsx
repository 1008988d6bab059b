import { Alert, Button } from '@hubspot/ui-extensions';
import type { WindowState } from './format';
import type { ContactState } from './types';

/** Why nothing can be sent to this contact (consent, opt-out), or null. */
export function consentBlock(contact: ContactState, hasPhone: boolean): string | null {
  if (contact.optedOut) return 'This contact opted out of WhatsApp. Nothing can be sent until they opt back in themselves.';
  if (contact.consent === 'declined') return 'The customer declined data-processing consent, so nothing can be sent to them on WhatsApp.';
  if (contact.consent !== 'granted') return 'This contact has not given WhatsApp consent yet, so nothing can be sent to them.';
  if (!hasPhone) return 'This contact has no phone number.';
  return null;
}

export function ConsentAlert({ contact }: { contact: ContactState }) {
  if (contact.optedOut) {
    return (
      <Alert testId="opted-out" variant="danger" title="Opted out of WhatsApp">
        This contact opted out. Nothing can be sent to them on WhatsApp until they opt back in themselves.
      </Alert>
    );
  }
  if (contact.consent === 'declined') {
    return (
      <Alert testId="no-consent" variant="danger" title="Consent declined">
        The customer declined data-processing consent. You can&apos;t message them on WhatsApp.
      </Alert>
    );
  }
  if (contact.consent === 'unknown') {
    return (
      <Alert testId="no-consent" variant="warning" title="No consent yet">
        This contact hasn&apos;t given WhatsApp consent. When they write to your number the consent bot asks them first; you
        can message them once they accept.
      </Alert>
    );
  }
  return null;
}

export function WindowAlert({ win, blockedReason, onSendTemplate }: { win: WindowState; blockedReason: string | null; onSendTemplate: () => void }) {
  if (!win.open) {
    return (
      <Alert testId="window-closed" variant="warning" title="Template needed">
        {blockedReason}
        <Button testId="banner-send-template" variant="primary" size="sm" onClick={() => onSendTemplate()}>
          Send a template
        </Button>
      </Alert>
    );
  }
  if (win.urgent) {
    return (
      <Alert testId="window-urgent" variant="danger" title="Reply soon">
        The reply window closes in {win.text.replace(/^Urgent: /, '').replace(/ left to reply$/, '')}. After that only
        templates can be sent.
      </Alert>
    );
  }
  return null;
}
