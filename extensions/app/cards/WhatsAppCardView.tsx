// The card's layout. Its data lives in useConversation (loading / ready / error, poll, older pages).
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Divider, EmptyState, ErrorState, Flex, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { ApiError, createCardApi, type ApiContext, type CardApi } from './api';
import { CardHeader } from './CardHeader';
import { ConsentAlert, consentBlock, WindowAlert } from './CardAlerts';
import { Composer } from './Composer';
import { ConversationActions } from './ConversationActions';
import { DEFAULT_URGENT_MINUTES, formatTime, windowState } from './format';
import { TemplateSender } from './TemplateSender';
import { Thread } from './Thread';
import type { CardSettings, Me } from './types';
import { mergeMessages, POLL_INTERVAL_MS, useConversation } from './useConversation';
import { useMinuteClock } from './useNow';

export { mergeMessages, POLL_INTERVAL_MS };

export interface CardContext extends ApiContext {
  portal: { id: number; timezone?: string };
  crm: { objectId: number };
}

/** The HubSpot actions the card uses (the extension's `actions`). */
export interface CardActions {
  openIframeModal?: (p: { uri: string; height: number; width: number; title?: string; flush?: boolean }, onClose?: () => void) => void;
}

export interface WhatsAppCardViewProps {
  context: CardContext;
  actions?: CardActions;
  pollIntervalMs?: number;
  /** For tests; defaults to an API bound to the context. */
  api?: CardApi;
}

type Notice = { variant: 'success' | 'error' | 'info'; title: string; message: string } | null;

// Secondary data: failures only reduce features (no quick replies, no "assign to me").
function useCardExtras(api: CardApi) {
  const [settings, setSettings] = useState<CardSettings>({ quickReplies: [], resolutionLabels: [] });
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    let live = true;
    api.getSettings().then((s) => live && setSettings(s)).catch(() => undefined);
    api.getMe().then((m) => live && setMe(m)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  return { settings, me };
}

type Conv = ReturnType<typeof useConversation>;
interface Ready {
  contact: NonNullable<Conv['state']['contact']>;
  conversation: Conv['state']['conversation'];
}

// What the card can do right now: the reply window, consent, and why free-form replies are blocked.
function cardStatus({ contact, conversation }: Ready, now: number, settings: CardSettings, timeZone: string | undefined) {
  const win = windowState(conversation?.windowExpiresAt, now, settings.windowAlertMinutes ?? DEFAULT_URGENT_MINUTES, conversation?.urgent ?? false);
  const hasPhone = !!(contact.waId || contact.phone);
  const consentReason = consentBlock(contact, hasPhone);
  let blockedReason: string | null = consentReason;
  if (!blockedReason && conversation?.status === 'bot') blockedReason = 'The consent bot is still talking to the customer.';
  else if (!blockedReason && !win.open)
    blockedReason = conversation?.windowExpiresAt
      ? `The 24-hour reply window closed on ${formatTime(conversation.windowExpiresAt, timeZone)}. Send a template to reopen the conversation.`
      : 'The customer has not written yet, so free-form messages are not possible. Send a template.';
  return { win, hasPhone, consentReason, canMessage: consentReason === null, blockedReason };
}

function EmptyConversation({ hasPhone, canMessage, showTemplateSender, onStart }: { hasPhone: boolean; canMessage: boolean; showTemplateSender: boolean; onStart: () => void }) {
  return (
    <EmptyState testId="card-empty" title="No WhatsApp conversation yet" layout="vertical" imageName="social">
      {!hasPhone ? (
        <Text>This contact has no phone number. Add one to start a WhatsApp conversation.</Text>
      ) : canMessage ? (
        <>
          <Text>Start the conversation with an approved template.</Text>
          {!showTemplateSender ? (
            <Button testId="start-with-template" variant="primary" onClick={() => onStart()}>
              Start with a template
            </Button>
          ) : null}
        </>
      ) : (
        <Text>A conversation can start once the contact has given consent.</Text>
      )}
    </EmptyState>
  );
}

function NewTemplateButton({ canMessage, consentReason, onOpen }: { canMessage: boolean; consentReason: string | null; onOpen: () => void }) {
  return (
    <Flex direction="column" gap="xs">
      <Button testId="new-template" variant="secondary" disabled={!canMessage} onClick={() => onOpen()}>
        Send a template
      </Button>
      {consentReason ? (
        <Text testId="template-blocked" variant="microcopy">
          {consentReason}
        </Text>
      ) : null}
    </Flex>
  );
}

function CardLoading() {
  return <LoadingSpinner testId="card-loading" label="Loading the WhatsApp conversation…" showLabel layout="centered" />;
}

function CardError({ message, onRetry }: { message: string | undefined; onRetry: () => void }) {
  return (
    <ErrorState testId="card-error" title="Couldn't load the WhatsApp conversation">
      <Text>{message ?? 'Something went wrong.'}</Text>
      <Button testId="retry" onClick={() => onRetry()}>
        Try again
      </Button>
    </ErrorState>
  );
}

function NoticeAlerts({ notice, pollWarning }: { notice: Notice; pollWarning: string | null | undefined }) {
  return (
    <>
      {notice ? (
        <Alert testId="card-notice" variant={notice.variant} title={notice.title}>
          {notice.message}
        </Alert>
      ) : null}
      {pollWarning ? (
        <Text testId="poll-warning" variant="microcopy">
          Couldn&apos;t refresh the conversation: {pollWarning} Retrying…
        </Text>
      ) : null}
    </>
  );
}

export function WhatsAppCardView({ context, actions, pollIntervalMs = POLL_INTERVAL_MS, api: apiProp }: WhatsAppCardViewProps) {
  const baseUrl = context.variables?.apiBaseUrl;
  const api = useMemo(
    () => apiProp ?? createCardApi({ portal: { id: context.portal.id }, user: { id: context.user.id }, variables: { apiBaseUrl: baseUrl } }),
    // Rebuild only when the caller identity or base URL changes, not on every new context object.
    [apiProp, context.portal.id, context.user.id, baseUrl],
  );
  const contactId = context.crm.objectId;
  const conv = useConversation(api, contactId, pollIntervalMs);
  const expiresAt = conv.state.conversation?.windowExpiresAt;
  const now = useMinuteClock(expiresAt ? Date.parse(expiresAt) : null);
  const { settings, me } = useCardExtras(api);
  const [showTemplateSender, setShowTemplateSender] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);

  if (conv.state.phase === 'loading') return <CardLoading />;
  const contact = conv.state.contact;
  if (conv.state.phase === 'error' || !contact) return <CardError message={conv.state.loadError?.message} onRetry={() => void conv.reload()} />;
  const ui = { showTemplateSender, setShowTemplateSender, notice, setNotice };
  return <ReadyCard {...{ api, actions, contactId, conv, settings, me, now, ui, contact }} timeZone={context.portal.timezone} />;
}

// The composer's calls: a free-form reply, and opening the upload page for an attachment.
function replyCalls(api: CardApi, actions: CardActions | undefined, contactId: number, conv: Conv, setNotice: (n: Notice) => void) {
  const { refresh, applyLocal } = conv;
  const onSend = async (text: string, idempotencyKey: string) => {
    try {
      const m = await api.sendMessage(contactId, text, { idempotencyKey });
      applyLocal({ messages: [m] });
      setNotice(null);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'WINDOW_CLOSED') void refresh();
      throw e;
    }
  };

  const onAttach = async () => {
    if (!actions?.openIframeModal) throw new ApiError('UNSUPPORTED', 'Attachments need HubSpot’s iframe modal, which is not available here.');
    const link = await api.createUploadLink(contactId);
    actions.openIframeModal({ uri: link.url, title: 'Send an attachment on WhatsApp', width: 560, height: 420 }, () => void refresh());
  };
  return { onSend, onAttach };
}

interface ReadyCardProps {
  api: CardApi;
  actions: CardActions | undefined;
  contactId: number;
  conv: Conv;
  contact: Ready['contact'];
  settings: CardSettings;
  me: Me | null;
  now: number;
  timeZone: string | undefined;
  ui: { showTemplateSender: boolean; setShowTemplateSender: (v: boolean) => void; notice: Notice; setNotice: (n: Notice) => void };
}

// The loaded card: header, alerts, actions, template sender, thread and composer.
function ReadyCard({ api, actions, contactId, conv, contact, settings, me, now, timeZone, ui }: ReadyCardProps) {
  const { state, refresh, loadOlder, applyLocal } = conv;
  const { conversation, messages } = state;
  const { win, hasPhone, consentReason, canMessage, blockedReason } = cardStatus({ contact, conversation }, now, settings, timeZone);
  const active = !!conversation && conversation.status !== 'resolved';
  const isEmpty = !conversation && messages.length === 0;
  const openSender = () => ui.setShowTemplateSender(true);
  const quickReplies = settings.quickReplies.filter((q) => q.phoneNumberId === null || q.phoneNumberId === conversation?.phoneNumberId);

  const { onSend, onAttach } = replyCalls(api, actions, contactId, conv, ui.setNotice);

  return (
    <Flex direction="column" gap="sm" testId="whatsapp-card">
      <CardHeader contact={contact} conversation={conversation} window={win} />
      <NoticeAlerts notice={ui.notice} pollWarning={state.pollWarning} />
      <ConsentAlert contact={contact} />
      {canMessage && active ? <WindowAlert win={win} blockedReason={blockedReason} onSendTemplate={openSender} /> : null}

      {active && conversation ? (
        <ConversationActions
          api={api}
          conversation={conversation}
          me={me}
          resolutionLabels={settings.resolutionLabels}
          onUpdated={(c, message, customerMessage) => {
            applyLocal({ conversation: c, messages: customerMessage ? [customerMessage] : undefined });
            ui.setNotice({ variant: 'success', title: 'Done', message });
          }}
        />
      ) : null}

      {ui.showTemplateSender && canMessage ? (
        <TemplateSender
          api={api}
          contactId={contactId}
          defaultPhoneNumberId={conversation?.phoneNumberId ?? null}
          onCancel={() => ui.setShowTemplateSender(false)}
          onSent={(m, c) => {
            applyLocal({ messages: [m], conversation: c ?? undefined });
            ui.setShowTemplateSender(false);
            ui.setNotice({ variant: 'success', title: 'Template sent', message: `“${m.templateName ?? 'Template'}” was sent.` });
            void refresh();
          }}
        />
      ) : null}

      {isEmpty ? (
        <EmptyConversation hasPhone={hasPhone} canMessage={canMessage} showTemplateSender={ui.showTemplateSender} onStart={openSender} />
      ) : (
        <>
          <Divider />
          <Thread
            messages={messages}
            hasOlder={!!state.olderCursor}
            loadingOlder={state.loadingOlder}
            olderError={state.olderError}
            onLoadOlder={() => void loadOlder()}
            timeZone={timeZone}
          />
        </>
      )}

      {active ? (
        <>
          <Divider />
          <Composer
            quickReplies={quickReplies}
            blockedReason={blockedReason}
            templateBlockedReason={consentReason}
            onSend={onSend}
            onAttach={onAttach}
            onOpenTemplateSender={openSender}
          />
        </>
      ) : null}
      {!active && !isEmpty && !ui.showTemplateSender ? <NewTemplateButton canMessage={canMessage} consentReason={consentReason} onOpen={openSender} /> : null}
    </Flex>
  );
}
