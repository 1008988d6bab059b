// Default (HubSpot-defined) property definitions and groups for the objects the app uses.
import type { ObjectSchema, ObjectTypeName, PropertyDefinition, PropertyGroup, PropertyOption } from './types.js';

export const PROPERTY_TYPES = ['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string'] as const;
export const FIELD_TYPES = [
  'booleancheckbox', 'calculation_equation', 'checkbox', 'date', 'file', 'html', 'number', 'phonenumber',
  'radio', 'select', 'text', 'textarea',
] as const;

/** Which fieldTypes HubSpot accepts for each property type. */
export const FIELD_TYPES_BY_TYPE: Record<string, readonly string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber'],
};

/** Properties that exist on every object type and are computed by HubSpot. */
export const READ_ONLY_BASE = ['hs_object_id'];

export const CALCULATED_PHONE = 'hs_searchable_calculated_phone_number';
export const CALCULATED_MOBILE = 'hs_searchable_calculated_mobile_number';

interface Def {
  name: string;
  label: string;
  type?: string;
  fieldType?: string;
  group: string;
  options?: Array<string | PropertyOption>;
  readOnly?: boolean;
  calculated?: boolean;
  unique?: boolean;
  externalOptions?: boolean;
  referencedObjectType?: string;
  hidden?: boolean;
}

const EPOCH = '2019-08-06T02:43:01.000Z';

function option(o: string | PropertyOption, i: number): PropertyOption {
  if (typeof o === 'string') return { label: o, value: o, displayOrder: i, hidden: false };
  return { displayOrder: i, hidden: false, ...o };
}

function build(defs: Def[]): Map<string, PropertyDefinition> {
  const map = new Map<string, PropertyDefinition>();
  defs.forEach((d, i) => {
    map.set(d.name, {
      name: d.name,
      label: d.label,
      type: d.type ?? 'string',
      fieldType: d.fieldType ?? 'text',
      description: '',
      groupName: d.group,
      options: (d.options ?? []).map(option),
      displayOrder: i,
      calculated: d.calculated ?? false,
      externalOptions: d.externalOptions ?? false,
      ...(d.referencedObjectType ? { referencedObjectType: d.referencedObjectType } : {}),
      hasUniqueValue: d.unique ?? false,
      hidden: d.hidden ?? false,
      hubspotDefined: true,
      formField: !d.readOnly,
      dataSensitivity: 'non_sensitive',
      modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: d.readOnly ?? false },
      createdAt: EPOCH,
      updatedAt: EPOCH,
      archived: false,
    });
  });
  return map;
}

function groups(list: Array<[string, string]>): Map<string, PropertyGroup> {
  return new Map(list.map(([name, label], i) => [name, { name, label, displayOrder: i, archived: false }]));
}

const dt = (name: string, label: string, group: string, readOnly = false): Def => ({
  name, label, type: 'datetime', fieldType: 'date', group, readOnly,
});

const owner = (group: string): Def => ({
  name: 'hubspot_owner_id', label: 'Contact owner', type: 'enumeration', fieldType: 'select', group,
  externalOptions: true, referencedObjectType: 'OWNER',
});

function contactSchema(): ObjectSchema {
  const g = 'contactinformation';
  return {
    groups: groups([
      ['contactinformation', 'Contact information'],
      ['emailinformation', 'Email information'],
      ['analyticsinformation', 'Web analytics history'],
      ['sales_properties', 'Sales properties'],
    ]),
    properties: build([
      { name: 'email', label: 'Email', group: g, unique: true },
      { name: 'firstname', label: 'First Name', group: g },
      { name: 'lastname', label: 'Last Name', group: g },
      { name: 'phone', label: 'Phone Number', fieldType: 'phonenumber', group: g },
      { name: 'mobilephone', label: 'Mobile Phone Number', fieldType: 'phonenumber', group: g },
      { name: 'company', label: 'Company Name', group: g },
      { name: 'jobtitle', label: 'Job Title', group: g },
      { name: 'website', label: 'Website URL', group: g },
      { name: 'city', label: 'City', group: g },
      { name: 'country', label: 'Country/Region', group: g },
      { name: 'hs_language', label: 'Preferred language', group: g },
      {
        name: 'lifecyclestage', label: 'Lifecycle Stage', type: 'enumeration', fieldType: 'radio', group: g,
        options: ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer',
          'evangelist', 'other'],
      },
      {
        name: 'hs_lead_status', label: 'Lead Status', type: 'enumeration', fieldType: 'radio', group: 'sales_properties',
        options: ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED',
          'BAD_TIMING'],
      },
      owner(g),
      dt('createdate', 'Create Date', g),
      dt('lastmodifieddate', 'Last Modified Date', g, true),
      { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', group: g, readOnly: true },
      {
        name: CALCULATED_PHONE, label: 'Calculated Phone Number', fieldType: 'phonenumber', group: g,
        readOnly: true, calculated: true, hidden: true,
      },
      {
        name: CALCULATED_MOBILE, label: 'Calculated Mobile Number', fieldType: 'phonenumber', group: g,
        readOnly: true, calculated: true, hidden: true,
      },
    ]),
  };
}

function engagementBase(group: string): Def[] {
  return [
    dt('hs_timestamp', 'Activity date', group),
    owner(group),
    dt('hs_createdate', 'Create date', group, true),
    dt('hs_lastmodifieddate', 'Last modified date', group, true),
    { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', group, readOnly: true },
  ];
}

function communicationSchema(): ObjectSchema {
  const g = 'communicationinformation';
  return {
    groups: groups([[g, 'Communication information']]),
    properties: build([
      {
        name: 'hs_communication_channel_type', label: 'Channel type', type: 'enumeration', fieldType: 'select', group: g,
        options: [
          { label: 'WhatsApp', value: 'WHATS_APP' },
          { label: 'LinkedIn message', value: 'LINKEDIN_MESSAGE' },
          { label: 'SMS', value: 'SMS' },
        ],
      },
      {
        name: 'hs_communication_logged_from', label: 'Logged from', type: 'enumeration', fieldType: 'select', group: g,
        options: [{ label: 'CRM', value: 'CRM' }],
      },
      { name: 'hs_communication_body', label: 'Body', fieldType: 'textarea', group: g },
      ...engagementBase(g),
    ]),
  };
}

function taskSchema(): ObjectSchema {
  const g = 'taskinformation';
  return {
    groups: groups([[g, 'Task information']]),
    properties: build([
      { name: 'hs_task_subject', label: 'Task Title', group: g },
      { name: 'hs_task_body', label: 'Notes', fieldType: 'textarea', group: g },
      {
        name: 'hs_task_status', label: 'Task Status', type: 'enumeration', fieldType: 'select', group: g,
        options: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
      },
      {
        name: 'hs_task_priority', label: 'Priority', type: 'enumeration', fieldType: 'select', group: g,
        options: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
      },
      {
        name: 'hs_task_type', label: 'Task Type', type: 'enumeration', fieldType: 'select', group: g,
        options: ['TODO', 'CALL', 'EMAIL', 'LINKED_IN_CONNECT', 'LINKED_IN_MESSAGE'],
      },
      ...engagementBase(g),
    ]),
  };
}

export function defaultSchemas(): Record<ObjectTypeName, ObjectSchema> {
  return { contacts: contactSchema(), communications: communicationSchema(), tasks: taskSchema() };
}
