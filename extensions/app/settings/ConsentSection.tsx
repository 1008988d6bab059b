import { Flex, Heading, Input, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';
import { CONSENT_MAX } from './validate';

export function ConsentSection({ draft, update, err, savedText }: SectionProps & { savedText: { es: string; en: string } }) {
  const c = draft.consent;
  const changed = c.text.es !== savedText.es || c.text.en !== savedText.en;
  return (
    <Flex direction="column" gap="md" testId="consent-section">
      <Heading>Consent (data processing)</Heading>
      <Text variant="microcopy">
        The consent bot sends this text, with the policy link, to every customer without recorded consent before an agent
        sees the conversation. Each consent is stored with the text version it was given for.
      </Text>
      <Text testId="consent-version">
        Current version: {c.version}
        {changed ? ` · The text changed: saving creates version ${c.version + 1}.` : ''}
      </Text>
      <TextArea
        testId="consent-text-es"
        label="Consent text (Spanish)"
        name="consentTextEs"
        rows={5}
        maxLength={CONSENT_MAX}
        required
        value={c.text.es}
        onChange={(v) => update((d) => void (d.consent.text.es = v))}
        onInput={(v) => update((d) => void (d.consent.text.es = v))}
        {...fieldError(err('consent.text.es'))}
      />
      <TextArea
        testId="consent-text-en"
        label="Consent text (English)"
        name="consentTextEn"
        rows={5}
        maxLength={CONSENT_MAX}
        required
        value={c.text.en}
        onChange={(v) => update((d) => void (d.consent.text.en = v))}
        onInput={(v) => update((d) => void (d.consent.text.en = v))}
        {...fieldError(err('consent.text.en'))}
      />
      <Input
        testId="consent-policy-url"
        label="Privacy policy link"
        name="policyUrl"
        placeholder="https://example.com/privacy"
        required
        value={c.policyUrl}
        onChange={(v) => update((d) => void (d.consent.policyUrl = v))}
        onInput={(v) => update((d) => void (d.consent.policyUrl = v))}
        {...fieldError(err('consent.policyUrl'))}
      />
      <Select
        testId="consent-language"
        label="Default bot language"
        name="consentLanguage"
        value={c.language}
        options={[
          { label: 'Spanish', value: 'es' },
          { label: 'English', value: 'en' },
        ]}
        onChange={(v) => update((d) => void (d.consent.language = v === 'en' ? 'en' : 'es'))}
      />
    </Flex>
  );
}
