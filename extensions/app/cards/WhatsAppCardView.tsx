import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  LoadingSpinner,
  Text,
} from '@hubspot/ui-extensions';
import { ApiError, createCardApi, type ApiContext, type CardApi } from './api';
import { CardHeader } from './CardHeader';
import { Composer } from './Composer';
import { ConversationActions } from './ConversationActions';
import { DEFAULT_URGENT_MINUTES, formatTime, windowState } from './format';
import { TemplateSender } from './TemplateSender';
import { Thread } from './Thread';
import type { CardSettings, ContactState, Conversation, Me, Message } from './types';
import { useNow } from './useNow';

export const POLL_INTERVAL_MS = 5000;

export interface CardContext extends ApiContext {
  portal: { id: number; timezone?: string };
  crm: { objectId: number };
}

export interface WhatsAppCardViewProps {
  context: CardContext;
  pollIntervalMs?: number;
  /** For tests; defaults to an API bound to the context. */
  api?: CardApi;
}

type Notice = { variant: 'success' | 'error' | 'info'; title: string; message: string } | null;

export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of existing) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  return Array.from(byId.values()).sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
}

export function WhatsAppCardView({ context, pollIntervalMs = POLL_INTERVAL_MS, api: apiProp }: WhatsAppCardViewProps) {
  const baseUrl = context.variables?.apiBaseUrl;
  const api = useMemo(
    () => apiProp ?? createCardApi({ portal: { id: context.portal.id }, user: { id: context.user.id }, variables: { apiBaseUrl: baseUrl } }),
    // Rebuild only when the caller identity or base URL changes, not on every new context object.
    [apiProp, context.portal.id, context.user.id, baseUrl],
  );
  const contactId = context.crm.objectId;
  const timeZone = context.portal.timezone;

  const [phase, setPhase] = useState<'loading' | 'error' | 'ready'>('loading');
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [contact, setContact] = useState<ContactState | null>(null);
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const [pollWarning, setPollWarning] = useState<string | null>(null);
  const [settings, setSettings] = useState<CardSettings>({ quickReplies: [], resolutionLabels: [] });
  const [me, setMe] = useState<Me | null>(null);
  const [showTemplateSender, setShowTemplateSender] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const now = useNow(15000);

  const mounted = useRef(true);
  const pollBusy = useRef(false);
  const skipPolls = useRef(0);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // The first load starts in 'loading' already; `load` (retry) resets it first. State is set in
  // the promise's callbacks, never synchronously inside the effect.
  const fetchConversation = useCallback(
    () =>
      api.getConversation(contactId).then(
        (r) => {
          if (!mounted.current) return;
          setContact(r.contact);
          setConversation(r.conversation);
          setMessages(r.messages ?? []);
          setOlderCursor(r.nextCursor);
          setPhase('ready');
        },
        (e: unknown) => {
          if (!mounted.current) return;
          setLoadError(e instanceof ApiError ? e : new ApiError('UNKNOWN', 'Something went wrong.'));
          setPhase('error');
        },
      ),
    [api, contactId],
  );
  const load = useCallback(() => {
    setPhase('loading');
    setLoadError(null);
    return fetchConversation();
  }, [fetchConversation]);

  useEffect(() => {
    void fetchConversation();
    // Secondary data: failures only reduce features (no quick replies, no "assign to me").
    api
      .getSettings()
      .then((s) => mounted.current && setSettings(s))
      .catch(() => undefined);
    api
      .getMe()
      .then((m) => mounted.current && setMe(m))
      .catch(() => undefined);
  }, [api, fetchConversation]);

  const poll = useCallback(async () => {
    if (pollBusy.current) return;
    if (skipPolls.current > 0) {
      skipPolls.current -= 1;
      return;
    }
    pollBusy.current = true;
    try {
      const r = await api.getConversation(contactId);
      if (!mounted.current) return;
      setContact(r.contact);
      setConversation(r.conversation);
      setMessages((prev) => mergeMessages(prev, r.messages ?? []));
      setPollWarning(null);
    } catch (e) {
      if (!mounted.current) return;
      if (e instanceof ApiError && e.code === 'RATE_LIMITED') skipPolls.current = 3;
      setPollWarning(e instanceof ApiError ? e.message : 'Could not refresh.');
    } finally {
      pollBusy.current = false;
    }
  }, [api, contactId]);

  // New messages without reloading: poll while the card is mounted, stop on unmount.
  const pollRef = useRef(poll);
  useEffect(() => {
    pollRef.current = poll;
  }, [poll]);
  useEffect(() => {
    if (phase !== 'ready') return undefined;
    const id = setInterval(() => void pollRef.current(), pollIntervalMs);
    return () => clearInterval(id);
  }, [phase, pollIntervalMs]);

  const loadOlder = async () => {
    if (!olderCursor) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const r = await api.getConversation(contactId, olderCursor);
      if (!mounted.current) return;
      setMessages((prev) => mergeMessages(r.messages ?? [], prev));
      setOlderCursor(r.nextCursor);
    } catch (e) {
      if (mounted.current) setOlderError(e instanceof Error ? e.message : 'Try again.');
    } finally {
      if (mounted.current) setLoadingOlder(false);
    }
  };

  if (phase === 'loading') {
    return <LoadingSpinner testId="card-loading" label="Loading the WhatsApp conversation…" showLabel layout="centered" />;
  }
  if (phase === 'error' || !contact) {
    return (
      <ErrorState testId="card-error" title="Couldn't load the WhatsApp conversation">
        <Text>{loadError?.message ?? 'Something went wrong.'}</Text>
        <Button testId="retry" onClick={() => void load()}>
          Try again
        </Button>
      </ErrorState>
    );
  }

  const win = windowState(
    conversation?.windowExpiresAt,
    now,
    settings.windowAlertMinutes ?? DEFAULT_URGENT_MINUTES,
    conversation?.urgent ?? false,
  );
  const hasPhone = !!(contact.waId || contact.phone);
  const canMessage = !contact.optedOut && contact.consent === 'granted' && hasPhone;
  const active = !!conversation && conversation.status !== 'resolved';
  const isEmpty = !conversation && messages.length === 0;

  let blockedReason: string | null = null;
  if (conversation?.status === 'bot') blockedReason = 'The consent bot is still talking to the customer.';
  else if (!win.open)
    blockedReason = conversation?.windowExpiresAt
      ? `The 24-hour reply window closed on ${formatTime(conversation.windowExpiresAt, timeZone)}. Send a template to reopen the conversation.`
      : 'The customer has not written yet, so free-form messages are not possible. Send a template.';

  const quickReplies = settings.quickReplies.filter(
    (q) => q.phoneNumberId === null || q.phoneNumberId === conversation?.phoneNumberId,
  );

  const onSend = async (text: string, idempotencyKey: string) => {
    try {
      const m = await api.sendMessage(contactId, text, { idempotencyKey });
      setMessages((prev) => mergeMessages(prev, [m]));
      setNotice(null);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'WINDOW_CLOSED') void pollRef.current();
      throw e;
    }
  };

  return (
    <Flex direction="column" gap="sm" testId="whatsapp-card">
      <CardHeader contact={contact} conversation={conversation} window={win} />
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

      {contact.optedOut ? (
        <Alert testId="opted-out" variant="danger" title="Opted out of WhatsApp">
          This contact opted out. Nothing can be sent to them on WhatsApp until they opt back in themselves.
        </Alert>
      ) : contact.consent === 'declined' ? (
        <Alert testId="no-consent" variant="danger" title="Consent declined">
          The customer declined data-processing consent. You can&apos;t message them on WhatsApp.
        </Alert>
      ) : contact.consent === 'unknown' ? (
        <Alert testId="no-consent" variant="warning" title="No consent yet">
          This contact hasn&apos;t given WhatsApp consent. When they write to your number the consent bot asks them first;
          you can message them once they accept.
        </Alert>
      ) : null}

      {canMessage && active && !win.open ? (
        <Alert testId="window-closed" variant="warning" title="Template needed">
          {blockedReason}
          <Button testId="banner-send-template" variant="primary" size="sm" onClick={() => setShowTemplateSender(true)}>
            Send a template
          </Button>
        </Alert>
      ) : null}
      {canMessage && active && win.open && win.urgent ? (
        <Alert testId="window-urgent" variant="danger" title="Reply soon">
          The reply window closes in {win.text.replace(/^Urgent: /, '').replace(/ left to reply$/, '')}. After that
          only templates can be sent.
        </Alert>
      ) : null}

      {active && conversation ? (
        <ConversationActions
          api={api}
          conversation={conversation}
          me={me}
          resolutionLabels={settings.resolutionLabels}
          onUpdated={(c, message, customerMessage) => {
            setConversation(c);
            if (customerMessage) setMessages((prev) => mergeMessages(prev, [customerMessage]));
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
            setMessages((prev) => mergeMessages(prev, [m]));
            if (c) setConversation(c);
            setShowTemplateSender(false);
            setNotice({ variant: 'success', title: 'Template sent', message: `“${m.templateName ?? 'Template'}” was sent.` });
            void pollRef.current();
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
            hasOlder={!!olderCursor}
            loadingOlder={loadingOlder}
            olderError={olderError}
            onLoadOlder={() => void loadOlder()}
            timeZone={timeZone}
          />
        </>
      )}

      {canMessage && active ? (
        <>
          <Divider />
          <Composer
            quickReplies={quickReplies}
            blockedReason={blockedReason}
            onSend={onSend}
            onOpenTemplateSender={() => setShowTemplateSender(true)}
          />
        </>
      ) : null}
      {canMessage && !active && !isEmpty && !showTemplateSender ? (
        <Button testId="new-template" variant="secondary" onClick={() => setShowTemplateSender(true)}>
          Send a template
        </Button>
      ) : null}
    </Flex>
  );
}
