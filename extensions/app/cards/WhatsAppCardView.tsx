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

export function WhatsAppCardView({ context, actions, pollIntervalMs = POLL_INTERVAL_MS, api: apiProp }: WhatsAppCardViewProps) {
  const baseUrl = context.variables?.apiBaseUrl;
  const api = useMemo(
    () => apiProp ?? createCardApi({ portal: { id: context.portal.id }, user: { id: context.user.id }, variables: { apiBaseUrl: baseUrl } }),
    // Rebuild only when the caller identity or base URL changes, not on every new context object.
     
    [apiProp, context.portal.id, context.user.id, baseUrl],
  );
  const contactId = context.crm.objectId;
  const timeZone = context.portal.timezone;
  const { state, reload, refresh, loadOlder, applyLocal } = useConversation(api, contactId, pollIntervalMs);
  const { contact, conversation, messages } = state;
  const [settings, setSettings] = useState<CardSettings>({ quickReplies: [], resolutionLabels: [] });
  const [me, setMe] = useState<Me | null>(null);
  const [showTemplateSender, setShowTemplateSender] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const now = useMinuteClock(conversation?.windowExpiresAt ? Date.parse(conversation.windowExpiresAt) : null);

  useEffect(() => {
    // Secondary data: failures only reduce features (no quick replies, no "assign to me").
    let live = true;
    api.getSettings().then((s) => live && setSettings(s)).catch(() => undefined);
    api.getMe().then((m) => live && setMe(m)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);

  if (state.phase === 'loading') {
    return <LoadingSpinner testId="card-loading" label="Loading the WhatsApp conversation…" showLabel layout="centered" />;
  }
  if (state.phase === 'error' || !contact) {
    return (
      <ErrorState testId="card-error" title="Couldn't load the WhatsApp conversation">
        <Text>{state.loadError?.message ?? 'Something went wrong.'}</Text>
        <Button testId="retry" onClick={() => void reload()}>
          Try again
        </Button>
      </ErrorState>
    );
  }

  const win = windowState(conversation?.windowExpiresAt, now, settings.windowAlertMinutes ?? DEFAULT_URGENT_MINUTES, conversation?.urgent ?? false);
  const hasPhone = !!(contact.waId || contact.phone);
  const consentReason = consentBlock(contact, hasPhone);
  const canMessage = consentReason === null;
  const active = !!conversation && conversation.status !== 'resolved';
  const isEmpty = !conversation && messages.length === 0;

  let blockedReason: string | null = consentReason;
  if (!blockedReason && conversation?.status === 'bot') blockedReason = 'The consent bot is still talking to the customer.';
  else if (!blockedReason && !win.open)
    blockedReason = conversation?.windowExpiresAt
      ? `The 24-hour reply window closed on ${formatTime(conversation.windowExpiresAt, timeZone)}. Send a template to reopen the conversation.`
      : 'The customer has not written yet, so free-form messages are not possible. Send a template.';

  const quickReplies = settings.quickReplies.filter((q) => q.phoneNumberId === null || q.phoneNumberId === conversation?.phoneNumberId);

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

  return (
    <Flex direction="column" gap="sm" testId="whatsapp-card">
      <CardHeader contact={contact} conversation={conversation} window={win} />
      {notice ? (
        <Alert testId="card-notice" variant={notice.variant} title={notice.title}>
          {notice.message}
        </Alert>
      ) : null}
      {state.pollWarning ? (
        <Text testId="poll-warning" variant="microcopy">
          Couldn&apos;t refresh the conversation: {state.pollWarning} Retrying…
        </Text>
      ) : null}
      <ConsentAlert contact={contact} />
      {canMessage && active ? <WindowAlert win={win} blockedReason={blockedReason} onSendTemplate={() => setShowTemplateSender(true)} /> : null}

      {active && conversation ? (
        <ConversationActions
          api={api}
          conversation={conversation}
          me={me}
          resolutionLabels={settings.resolutionLabels}
          onUpdated={(c, message, customerMessage) => {
            applyLocal({ conversation: c, messages: customerMessage ? [customerMessage] : undefined });
            setNotice({ variant: 'success', title: 'Done', message });
          }}
        />
      ) : null}

      {showTemplateSender && canMessage ? (
        <TemplateSender
          api={api}
          contactId={contactId}
          defaultPhoneNumberId={conversation?.phoneNumberId ?? null}
          onCancel={() => setShowTemplateSender(false)}
          onSent={(m, c) => {
            applyLocal({ messages: [m], conversation: c ?? undefined });
            setShowTemplateSender(false);
            setNotice({ variant: 'success', title: 'Template sent', message: `“${m.templateName ?? 'Template'}” was sent.` });
            void refresh();
          }}
        />
      ) : null}

      {isEmpty ? (
        <EmptyState testId="card-empty" title="No WhatsApp conversation yet" layout="vertical" imageName="social">
          {!hasPhone ? (
            <Text>This contact has no phone number. Add one to start a WhatsApp conversation.</Text>
          ) : canMessage ? (
            <>
              <Text>Start the conversation with an approved template.</Text>
              {!showTemplateSender ? (
                <Button testId="start-with-template" variant="primary" onClick={() => setShowTemplateSender(true)}>
                  Start with a template
                </Button>
              ) : null}
            </>
          ) : (
            <Text>A conversation can start once the contact has given consent.</Text>
          )}
        </EmptyState>
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
            onOpenTemplateSender={() => setShowTemplateSender(true)}
          />
        </>
      ) : null}
      {!active && !isEmpty && !showTemplateSender ? (
        <Flex direction="column" gap="xs">
          <Button testId="new-template" variant="secondary" disabled={!canMessage} onClick={() => setShowTemplateSender(true)}>
            Send a template
          </Button>
          {consentReason ? (
            <Text testId="template-blocked" variant="microcopy">
              {consentReason}
            </Text>
          ) : null}
        </Flex>
      ) : null}
    </Flex>
  );
}
