// Card entrypoint (whatsapp-card-hsmeta.json): the WhatsApp tab on the contact record.
import { hubspot } from '@hubspot/ui-extensions';
import { WhatsAppCardView } from './WhatsAppCardView';

hubspot.extend<'crm.record.tab'>(({ context, actions }) => <WhatsAppCardView context={context} actions={actions} />);
