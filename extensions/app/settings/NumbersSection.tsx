import { useState } from 'react';
import {
  Alert,
  Button,
  Flex,
  Heading,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { ApiError, type SettingsApi } from './api';
import { fieldError } from './section';
import type { ConnectNumberInput, WhatsAppNumber } from './types';
import { validateNumber, type Errors } from './validate';

export interface NumbersSectionProps {
  api: SettingsApi;
  numbers: WhatsAppNumber[];
  onConnected: (n: WhatsAppNumber) => void;
  readOnly: boolean;
}

const EMPTY: ConnectNumberInput = { label: '', phoneNumberId: '', wabaId: '', accessToken: '' };

function useConnectNumber(api: SettingsApi, onConnected: (n: WhatsAppNumber) => void) {
  const [form, setForm] = useState<ConnectNumberInput>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);

  const set = (k: keyof ConnectNumberInput) => (v: string) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => {
      const { [k]: _drop, ...rest } = e;
      return rest;
    });
  };

  const connect = async () => {
    setResult(null);
    const e = validateNumber(form);
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      const n = await api.connectNumber(
        {
          label: form.label.trim(),
          phoneNumberId: form.phoneNumberId.trim(),
          wabaId: form.wabaId.trim(),
          accessToken: form.accessToken.trim(),
        },
      );
      onConnected(n);
      setForm(EMPTY);
      setResult({
        ok: true,
        message: `Connected “${n.label}”${n.displayPhoneNumber ? ` (${n.displayPhoneNumber})` : ''}. Meta accepted the token.`,
      });
    } catch (err) {
      const ae = err instanceof ApiError ? err : new ApiError('UNKNOWN', 'The number could not be connected.');
      setErrors(ae.details);
      setForm((f) => ({ ...f, accessToken: ae.details.accessToken ? '' : f.accessToken }));
      setResult({ ok: false, message: ae.message });
    } finally {
      setBusy(false);
    }
  };
  return { form, errors, busy, result, set, connect };
}

function NumbersTable({ numbers }: { numbers: WhatsAppNumber[] }) {
  if (numbers.length === 0) {
    return <Text testId="no-numbers">No number connected yet. Connect one below to start sending and receiving.</Text>;
  }
  return (
    <Table testId="numbers-table" bordered>
      <TableHead>
        <TableRow>
          <TableHeader>Label</TableHeader>
          <TableHeader>Phone number</TableHeader>
          <TableHeader>Phone number ID</TableHeader>
          <TableHeader>WABA ID</TableHeader>
          <TableHeader>Quality</TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {numbers.map((n) => (
          <TableRow key={n.phoneNumberId}>
            <TableCell>{n.label}</TableCell>
            <TableCell>{n.displayPhoneNumber ?? '—'}</TableCell>
            <TableCell>{n.phoneNumberId}</TableCell>
            <TableCell>{n.wabaId}</TableCell>
            <TableCell>{n.qualityRating ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function NumbersSection({ api, numbers, onConnected, readOnly }: NumbersSectionProps) {
  const { form, errors, busy, result, set, connect } = useConnectNumber(api, onConnected);
  return (
    <Flex direction="column" gap="md" testId="numbers-section">
      <Heading>WhatsApp numbers</Heading>
      <NumbersTable numbers={numbers} />
      <Heading>Connect a number</Heading>
      <Text variant="microcopy">
        The token is checked with Meta before it is saved, and is never shown again. Connecting an existing phone number
        ID again replaces its token and label.
      </Text>
      <Input
        testId="number-label"
        label="Label"
        name="label"
        description="What reps see, e.g. Customer Support or Customer Success"
        required
        readOnly={readOnly}
        value={form.label}
        onChange={set('label')}
        onInput={set('label')}
        {...fieldError(errors.label)}
      />
      <Input
        testId="number-phone-id"
        label="Phone number ID"
        name="phoneNumberId"
        required
        readOnly={readOnly}
        value={form.phoneNumberId}
        onChange={set('phoneNumberId')}
        onInput={set('phoneNumberId')}
        {...fieldError(errors.phoneNumberId)}
      />
      <Input
        testId="number-waba-id"
        label="WhatsApp Business Account ID"
        name="wabaId"
        required
        readOnly={readOnly}
        value={form.wabaId}
        onChange={set('wabaId')}
        onInput={set('wabaId')}
        {...fieldError(errors.wabaId)}
      />
      <Input
        testId="number-token"
        label="Access token"
        name="accessToken"
        type="password"
        required
        readOnly={readOnly}
        value={form.accessToken}
        onChange={set('accessToken')}
        onInput={set('accessToken')}
        {...fieldError(errors.accessToken)}
      />
      <Flex>
        <Button testId="connect-number" variant="primary" disabled={busy || readOnly} onClick={() => void connect()}>
          {busy ? 'Checking with Meta…' : 'Connect number'}
        </Button>
      </Flex>
      {result ? (
        <Alert
          testId="number-result"
          variant={result.ok ? 'success' : 'error'}
          title={result.ok ? 'Number connected' : 'Number not connected'}
        >
          {result.message}
        </Alert>
      ) : null}
    </Flex>
  );
}
