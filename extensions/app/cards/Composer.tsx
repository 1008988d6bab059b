import { useRef, useState } from 'react';
import { Alert, Button, Flex, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { ApiError, newIdempotencyKey } from './api';
import type { QuickReply } from './types';

export interface ComposerProps {
  quickReplies: QuickReply[];
  /** Why sending is not possible right now (e.g. the window is closed); null when it is. */
  blockedReason: string | null;
  /** Why templates can't be sent either (declined consent, opt-out); null when they can. */
  templateBlockedReason?: string | null;
  onSend: (text: string, idempotencyKey: string) => Promise<void>;
  /** Opens the upload page (an iframe modal): the file never passes through hubspot.fetch. */
  onAttach?: () => Promise<void>;
  onOpenTemplateSender: () => void;
}

export const MAX_TEXT = 4096;

// The draft, its checks and the send / attach calls.
function useComposer({ quickReplies, blockedReason, onSend, onAttach }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  // Same text retried after a failure → same idempotencyKey (the backend sends it once).
  const keyRef = useRef<{ text: string; key: string } | null>(null);

  const insertQuickReply = (id: string) => {
    const qr = quickReplies.find((q) => q.id === id);
    if (!qr) return;
    setDraft((d) => (d.trim() ? `${d}\n${qr.text}` : qr.text));
    setError(null);
  };

  const send = async () => {
    const text = draft.trim();
    if (blockedReason) {
      setError({ code: 'WINDOW_CLOSED', message: blockedReason });
      return;
    }
    if (!text) {
      setError({ code: 'VALIDATION', message: 'Write a message first.' });
      return;
    }
    if (text.length > MAX_TEXT) {
      setError({ code: 'VALIDATION', message: `Messages can be at most ${MAX_TEXT} characters.` });
      return;
    }
    if (!keyRef.current || keyRef.current.text !== text) keyRef.current = { text, key: newIdempotencyKey() };
    setSending(true);
    setError(null);
    try {
      await onSend(text, keyRef.current.key);
      keyRef.current = null;
      setDraft('');
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('UNKNOWN', 'The message could not be sent.');
      setError({ code: err.code, message: err.message });
    } finally {
      setSending(false);
    }
  };

  const attach = async () => {
    setError(null);
    try {
      await onAttach?.();
    } catch (e) {
      setError({ code: e instanceof ApiError ? e.code : 'UNKNOWN', message: e instanceof Error ? e.message : 'The upload page could not be opened.' });
    }
  };
  return { draft, setDraft, sending, error, insertQuickReply, send, attach };
}

export function Composer(props: ComposerProps) {
  const { quickReplies, blockedReason, templateBlockedReason = null, onAttach, onOpenTemplateSender } = props;
  const { draft, setDraft, sending, error, insertQuickReply, send, attach } = useComposer(props);
  return (
    <Flex direction="column" gap="xs" testId="composer">
      {quickReplies.length > 0 ? (
        <Select
          testId="quick-replies"
          label="Quick replies"
          name="quickReply"
          placeholder="Insert a quick reply"
          readOnly={!!blockedReason}
          options={quickReplies.map((q) => ({ label: q.title, value: q.id }))}
          onChange={(v) => insertQuickReply(String(v))}
        />
      ) : null}
      <TextArea
        testId="reply-input"
        label="Reply"
        name="reply"
        rows={3}
        maxLength={MAX_TEXT}
        placeholder={blockedReason ? 'Free-form replies are not possible right now' : 'Write a WhatsApp reply'}
        value={draft}
        readOnly={!!blockedReason}
        onChange={(v) => setDraft(v)}
        onInput={(v) => setDraft(v)}
      />
      {blockedReason ? (
        <Text testId="composer-blocked" variant="microcopy">
          {blockedReason}
        </Text>
      ) : null}
      <Flex gap="xs">
        <Button
          testId="send-reply"
          variant="primary"
          disabled={!!blockedReason || sending || !draft.trim()}
          onClick={() => void send()}
        >
          {sending ? 'Sending…' : 'Send'}
        </Button>
        {onAttach ? (
          <Button testId="attach-file" variant="secondary" disabled={!!blockedReason || sending} onClick={() => void attach()}>
            Attach a file
          </Button>
        ) : null}
        <Button testId="open-template-sender" variant="secondary" disabled={!!templateBlockedReason} onClick={() => onOpenTemplateSender()}>
          Send a template
        </Button>
      </Flex>
      {error ? (
        <Alert
          testId="composer-error"
          variant="error"
          title={error.code === 'WINDOW_CLOSED' ? 'Template needed' : 'Message not sent'}
        >
          {error.message}
        </Alert>
      ) : null}
    </Flex>
  );
}
