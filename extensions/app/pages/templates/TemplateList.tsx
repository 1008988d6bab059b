import { useState } from 'react';
import { Button, Flex, StatusTag, Table, TableBody, TableCell, TableHead, TableHeader, TableRow, Text } from '@hubspot/ui-extensions';
import type { TemplateView } from './types';

const STATUS: Record<string, { variant: 'success' | 'warning' | 'danger' | 'info' | 'default'; label: string }> = {
  APPROVED: { variant: 'success', label: 'Approved' },
  PENDING: { variant: 'info', label: 'In review (24–48 h)' },
  REJECTED: { variant: 'danger', label: 'Rejected' },
  PAUSED: { variant: 'warning', label: 'Paused' },
  DISABLED: { variant: 'danger', label: 'Disabled' },
};

export interface TemplateListProps {
  templates: TemplateView[];
  readOnly?: boolean;
  onDelete: (name: string) => Promise<void> | void;
}

/** Every template of the number with its status and, when Meta refused or paused it, the reason. */
export function TemplateList({ templates, readOnly, onDelete }: TemplateListProps) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (!templates.length) return <Text testId="templates-empty">No templates yet. Create one below.</Text>;
  return (
    <Table testId="templates-table" bordered>
      <TableHead>
        <TableRow>
          <TableHeader>Name</TableHeader>
          <TableHeader>Language</TableHeader>
          <TableHeader>Category</TableHeader>
          <TableHeader>Status</TableHeader>
          <TableHeader>Meta&apos;s review</TableHeader>
          <TableHeader>{''}</TableHeader>
        </TableRow>
      </TableHead>
      <TableBody>
        {templates.map((t) => {
          const s = STATUS[t.status] ?? { variant: 'default' as const, label: t.status };
          const id = `${t.name}-${t.language}`;
          return (
            <TableRow key={id}>
              <TableCell>{t.name}</TableCell>
              <TableCell>{t.language}</TableCell>
              <TableCell>{t.category ?? ''}</TableCell>
              <TableCell>
                <StatusTag testId={`status-${id}`} variant={s.variant}>
                  {s.label}
                </StatusTag>
              </TableCell>
              <TableCell>
                {t.review ? (
                  <Flex direction="column" gap="flush">
                    <Text testId={`reason-${id}`}>{t.review.reason ?? ''}</Text>
                    {t.review.recommendation ? (
                      <Text testId={`recommendation-${id}`} variant="microcopy">
                        {t.review.recommendation}
                      </Text>
                    ) : null}
                  </Flex>
                ) : (
                  <Text variant="microcopy">—</Text>
                )}
              </TableCell>
              <TableCell>
                {readOnly || t.status === 'DISABLED' ? null : confirming === t.name ? (
                  <Flex gap="xs">
                    <Button testId={`confirm-delete-${id}`} size="xs" variant="destructive" onClick={() => void Promise.resolve(onDelete(t.name)).finally(() => setConfirming(null))}>
                      Delete every language
                    </Button>
                    <Button testId={`cancel-delete-${id}`} size="xs" variant="secondary" onClick={() => setConfirming(null)}>
                      Keep
                    </Button>
                  </Flex>
                ) : (
                  <Button testId={`delete-${id}`} size="xs" variant="secondary" onClick={() => setConfirming(t.name)}>
                    Delete
                  </Button>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
