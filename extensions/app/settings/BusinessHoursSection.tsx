import { useState } from 'react';
import { Button, Flex, Heading, Input, Tag, Text } from '@hubspot/ui-extensions';
import { fieldError, type SectionProps } from './section';
import { WEEKDAYS, type Weekday } from './types';
import { isDate } from './validate';

export const DAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

function TimeZoneField({ draft, update, err, portalTimeZone }: SectionProps & { portalTimeZone?: string }) {
  const bh = draft.businessHours;
  return (
    <Flex gap="xs" align="end">
      <Input
        testId="time-zone"
        label="Time zone"
        name="timeZone"
        description="IANA name, e.g. America/Bogota"
        required
        value={bh.timeZone}
        onChange={(v) => update((d) => void (d.businessHours.timeZone = v.trim()))}
        onInput={(v) => update((d) => void (d.businessHours.timeZone = v.trim()))}
        {...fieldError(err('businessHours.timeZone'))}
      />
      {portalTimeZone && portalTimeZone !== bh.timeZone ? (
        <Button
          testId="use-portal-tz"
          size="sm"
          variant="secondary"
          onClick={() => update((d) => void (d.businessHours.timeZone = portalTimeZone))}
        >
          Use the portal&apos;s ({portalTimeZone})
        </Button>
      ) : null}
    </Flex>
  );
}

function DayHours({ day, draft, update, err }: SectionProps & { day: Weekday }) {
  const ranges = draft.businessHours.weekly[day] ?? [];
  return (
    <Flex direction="column" gap="xs" testId={`day-${day}`}>
      <Text format={{ fontWeight: 'demibold' }}>{DAY_NAMES[day]}</Text>
      {ranges.length === 0 ? <Text variant="microcopy">Closed</Text> : null}
      {ranges.map((r, i) => (
        <Flex key={i} gap="xs" align="end">
          <Input
            testId={`hours-${day}-${i}-from`}
            label="From"
            name={`${day}-${i}-from`}
            placeholder="09:00"
            value={r.from}
            onChange={(v) => update((d) => void (d.businessHours.weekly[day][i].from = v.trim()))}
            onInput={(v) => update((d) => void (d.businessHours.weekly[day][i].from = v.trim()))}
            {...fieldError(err(`businessHours.weekly.${day}.${i}.from`))}
          />
          <Input
            testId={`hours-${day}-${i}-to`}
            label="To"
            name={`${day}-${i}-to`}
            placeholder="18:00"
            value={r.to}
            onChange={(v) => update((d) => void (d.businessHours.weekly[day][i].to = v.trim()))}
            onInput={(v) => update((d) => void (d.businessHours.weekly[day][i].to = v.trim()))}
            {...fieldError(err(`businessHours.weekly.${day}.${i}.to`))}
          />
          <Button
            testId={`remove-hours-${day}-${i}`}
            size="sm"
            variant="transparent"
            onClick={() => update((d) => void d.businessHours.weekly[day].splice(i, 1))}
          >
            Remove
          </Button>
        </Flex>
      ))}
      <Flex>
        <Button
          testId={`add-hours-${day}`}
          size="xs"
          variant="secondary"
          onClick={() =>
            update((d) => {
              const list = d.businessHours.weekly[day] ?? [];
              const last = list[list.length - 1];
              list.push(last ? { from: last.to, to: '' } : { from: '09:00', to: '18:00' });
              d.businessHours.weekly[day] = list;
            })
          }
        >
          {ranges.length === 0 ? 'Open this day' : 'Add hours'}
        </Button>
      </Flex>
    </Flex>
  );
}

function Holidays({ draft, update, err }: SectionProps) {
  const [holiday, setHoliday] = useState('');
  const [holidayError, setHolidayError] = useState<string | undefined>();
  const bh = draft.businessHours;

  const addHoliday = () => {
    const h = holiday.trim();
    if (!isDate(h)) return setHolidayError('Use YYYY-MM-DD, e.g. 2026-12-25');
    if (bh.holidays.includes(h)) return setHolidayError('Already listed');
    update((d) => void (d.businessHours.holidays = [...d.businessHours.holidays, h].sort()));
    setHoliday('');
    setHolidayError(undefined);
  };

  return (
    <>
      <Text format={{ fontWeight: 'demibold' }}>Holidays</Text>
      {bh.holidays.length === 0 ? <Text variant="microcopy">No holidays.</Text> : null}
      <Flex gap="xs" wrap>
        {bh.holidays.map((h, i) => (
          <Flex key={h} gap="flush" align="center">
            <Tag testId={`holiday-${i}`}>{h}</Tag>
            {err(`businessHours.holidays.${i}`) ? <Text variant="microcopy">{err(`businessHours.holidays.${i}`)}</Text> : null}
            <Button
              testId={`remove-holiday-${i}`}
              size="xs"
              variant="transparent"
              onClick={() => update((d) => void d.businessHours.holidays.splice(i, 1))}
            >
              ✕
            </Button>
          </Flex>
        ))}
      </Flex>
      <Flex gap="xs" align="end">
        <Input
          testId="new-holiday"
          label="Add a holiday"
          name="newHoliday"
          placeholder="YYYY-MM-DD"
          value={holiday}
          onChange={(v) => {
            setHoliday(v);
            setHolidayError(undefined);
          }}
          {...fieldError(holidayError)}
        />
        <Button testId="add-holiday" size="sm" onClick={() => addHoliday()}>
          Add holiday
        </Button>
      </Flex>
    </>
  );
}

export function BusinessHoursSection(props: SectionProps & { portalTimeZone?: string }) {
  const { draft, update, err } = props;
  return (
    <Flex direction="column" gap="md" testId="hours-section">
      <Heading>Business hours</Heading>
      <Text variant="microcopy">
        Outside these hours customers get the out-of-hours reply, and end-of-day closing happens at the end of each day.
      </Text>
      <TimeZoneField {...props} />
      {WEEKDAYS.map((day) => (
        <DayHours key={day} day={day} draft={draft} update={update} err={err} />
      ))}
      <Holidays draft={draft} update={update} err={err} />
    </Flex>
  );
}
