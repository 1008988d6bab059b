// The card's data: one reducer over loading / ready / error, the poll, older pages, and the local
// changes the card makes (a send, a template, a transfer). A poll answer that was asked for before
// the latest local change is dropped, so it can never overwrite a newer send.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ApiError, type CardApi } from './api';
import type { ContactState, Conversation, ConversationResponse, Message } from './types';

export const POLL_INTERVAL_MS = 5000;

export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of existing) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  return Array.from(byId.values()).sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
}

export interface ConversationState {
  phase: 'loading' | 'ready' | 'error';
  loadError: ApiError | null;
  contact: ContactState | null;
  conversation: Conversation | null;
  messages: Message[];
  olderCursor: string | null;
  loadingOlder: boolean;
  olderError: string | null;
  pollWarning: string | null;
  /** Bumped by every local change; a poll started at an older version is stale. */
  version: number;
}

export type ConversationAction =
  | { type: 'load' }
  | { type: 'loaded'; r: ConversationResponse }
  | { type: 'failed'; error: ApiError }
  | { type: 'polled'; r: ConversationResponse; version: number }
  | { type: 'pollFailed'; message: string }
  | { type: 'older' }
  | { type: 'olderLoaded'; r: ConversationResponse }
  | { type: 'olderFailed'; message: string }
  | { type: 'local'; messages?: Message[]; conversation?: Conversation | null };

export const initialConversationState: ConversationState = {
  phase: 'loading', loadError: null, contact: null, conversation: null, messages: [], olderCursor: null,
  loadingOlder: false, olderError: null, pollWarning: null, version: 0,
};

export function conversationReducer(s: ConversationState, a: ConversationAction): ConversationState {
  switch (a.type) {
    case 'load':
      return { ...s, phase: 'loading', loadError: null };
    case 'loaded':
      return { ...s, phase: 'ready', contact: a.r.contact, conversation: a.r.conversation, messages: a.r.messages ?? [], olderCursor: a.r.nextCursor };
    case 'failed':
      return { ...s, phase: 'error', loadError: a.error };
    case 'polled':
      if (a.version !== s.version) return s; // asked before a newer local change: stale
      return { ...s, contact: a.r.contact, conversation: a.r.conversation, messages: mergeMessages(s.messages, a.r.messages ?? []), pollWarning: null };
    case 'pollFailed':
      return { ...s, pollWarning: a.message };
    case 'older':
      return { ...s, loadingOlder: true, olderError: null };
    case 'olderLoaded':
      return { ...s, loadingOlder: false, messages: mergeMessages(a.r.messages ?? [], s.messages), olderCursor: a.r.nextCursor };
    case 'olderFailed':
      return { ...s, loadingOlder: false, olderError: a.message };
    case 'local':
      return {
        ...s,
        version: s.version + 1,
        messages: a.messages ? mergeMessages(s.messages, a.messages) : s.messages,
        conversation: a.conversation !== undefined ? a.conversation : s.conversation,
      };
  }
}

const apiErrorOf = (e: unknown) => (e instanceof ApiError ? e : new ApiError('UNKNOWN', 'Something went wrong.'));

// New messages without reloading: poll while the card is mounted and loaded, stop on unmount.
function usePolling(poll: () => Promise<void>, ready: boolean, pollIntervalMs: number) {
  const pollRef = useRef(poll);
  useEffect(() => {
    pollRef.current = poll;
  }, [poll]);
  useEffect(() => {
    if (!ready) return undefined;
    const id = setInterval(() => void pollRef.current(), pollIntervalMs);
    return () => clearInterval(id);
  }, [ready, pollIntervalMs]);
  return pollRef;
}

export function useConversation(api: CardApi, contactId: number, pollIntervalMs = POLL_INTERVAL_MS) {
  const [state, dispatch] = useReducer(conversationReducer, initialConversationState);
  const live = useRef(true);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  const pollBusy = useRef(false);
  const skipPolls = useRef(0);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const safe = (a: ConversationAction) => live.current && dispatch(a);

  const load = useCallback(async () => {
    dispatch({ type: 'load' });
    try {
      safe({ type: 'loaded', r: await api.getConversation(contactId) });
    } catch (e) {
      safe({ type: 'failed', error: apiErrorOf(e) });
    }
  }, [api, contactId]);

  const poll = useCallback(async () => {
    if (pollBusy.current) return;
    if (skipPolls.current > 0) {
      skipPolls.current -= 1;
      return;
    }
    pollBusy.current = true;
    const version = stateRef.current.version;
    try {
      safe({ type: 'polled', r: await api.getConversation(contactId), version });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'RATE_LIMITED') skipPolls.current = 3;
      safe({ type: 'pollFailed', message: e instanceof ApiError ? e.message : 'Could not refresh.' });
    } finally {
      pollBusy.current = false;
    }
  }, [api, contactId]);

  const loadOlder = useCallback(async () => {
    const cursor = stateRef.current.olderCursor;
    if (!cursor) return;
    dispatch({ type: 'older' });
    try {
      safe({ type: 'olderLoaded', r: await api.getConversation(contactId, cursor) });
    } catch (e) {
      safe({ type: 'olderFailed', message: e instanceof Error ? e.message : 'Try again.' });
    }
  }, [api, contactId]);

  useEffect(() => {
    void load();
  }, [load]);

  const pollRef = usePolling(poll, state.phase === 'ready', pollIntervalMs);

  return {
    state,
    reload: load,
    refresh: () => pollRef.current(),
    loadOlder,
    /** Something the card itself just did: newer than any poll answer still on its way. */
    applyLocal: (change: { messages?: Message[]; conversation?: Conversation | null }) => dispatch({ type: 'local', ...change }),
  };
}
