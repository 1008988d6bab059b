import { useState } from 'react';
import { Flex, Heading, Input, Text } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';

export function parseKeywords(raw: string): string[] {
  const out: string[] = [];
  for (const k of raw.split(',')) {
    const t = k.trim();
    if (t && !out.some((x) => x.toUpperCase() === t.toUpperCase())) out.push(t);
  }
  return out;
}

export function KeywordsSection({ draft, update, err }: SectionProps) {
  // Raw text so typing "STOP, " is not rewritten while the admin types.
  const [outRaw, setOutRaw] = useState(draft.optOutKeywords.join(', '));
  const [inRaw, setInRaw] = useState(draft.optInKeywords.join(', '));
  return (
    <Flex direction="column" gap="md" testId="keywords-section">
      <Heading>Opt-out and opt-in keywords</Heading>
      <Text variant="microcopy">
        A customer who sends an opt-out keyword gets no business-initiated messages afterwards; an opt-in keyword
        reverses it. Matching ignores case.
      </Text>
      <Input
        testId="opt-out-keywords"
        label="Opt-out keywords"
        name="optOutKeywords"
        description="Comma-separated, e.g. STOP, BAJA"
        value={outRaw}
        onChange={(v) => {
          setOutRaw(v);
          update((d) => void (d.optOutKeywords = parseKeywords(v)));
        }}
        {...fieldError(err('optOutKeywords'))}
      />
      <Input
        testId="opt-in-keywords"
        label="Opt-in keywords"
        name="optInKeywords"
        description="Comma-separated, e.g. START, ALTA"
        value={inRaw}
        onChange={(v) => {
          setInRaw(v);
          update((d) => void (d.optInKeywords = parseKeywords(v)));
        }}
        {...fieldError(err('optInKeywords'))}
      />
    </Flex>
  );
}
