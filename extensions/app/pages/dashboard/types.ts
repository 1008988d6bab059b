// GET /api/v1/reports/conversations (API_CONTRACT.md "Round 2 endpoints"; docs/reports.md).
export interface Figures {
  conversations: number;
  open: number;
  resolved: number;
  answered: number;
  unanswered: number;
  avgFirstResponseSeconds: number | null;
  avgFirstResponseBusinessSeconds?: number | null;
  avgResolutionSeconds: number | null;
}

export interface Report {
  range: { from: string; to: string; timeZone: string };
  totals: Figures;
  byAgent: (Figures & { agentId: string | null; ownerId: string | null; name: string })[];
  byDay: (Figures & { date: string })[];
}

export interface Filter {
  days: number;
  phoneNumberId: string;
  agentId: string;
}

export interface NumberOption {
  phoneNumberId: string;
  label: string;
}

export interface AgentOption {
  agentId: string;
  name: string;
}
