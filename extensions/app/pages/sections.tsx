// The app pages' sections, in menu order. To add one (Campaigns, Templates…), write its page
// component in its own folder and add ONE entry here; the router and the menu follow.
import type { ComponentType } from 'react';
import { DashboardPage } from './dashboard/DashboardPage';
import { UsagePage } from './usage/UsagePage';
import { CampaignsSection } from './campaigns/CampaignsSection';
import { TemplatesSection } from './templates/TemplatesSection';

export interface Section {
  /** Route id, unique. */
  id: string;
  /** "/" is the landing section; others are "/name". */
  path: string;
  /** Menu label. */
  title: string;
  component: ComponentType;
}

export const SECTIONS: Section[] = [
  { id: 'dashboard', path: '/', title: 'Dashboard', component: DashboardPage },
  { id: 'campaigns', path: '/campaigns', title: 'Campaigns', component: CampaignsSection },
  { id: 'templates', path: '/templates', title: 'Templates', component: TemplatesSection },
  { id: 'usage', path: '/usage', title: 'Usage', component: UsagePage },
];
