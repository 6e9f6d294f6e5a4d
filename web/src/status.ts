/**
 * Site workflow states as the map shows them: the order of the workflow, a label and a color each.
 * The e2e test reads the colors from here to check the rendered pixels.
 */

export interface StatusStyle {
  label: string;
  color: string;
}

export const STATUS_STYLES: Readonly<Record<string, StatusStyle>> = {
  candidate: { label: 'Candidate', color: '#f59e0b' },
  'r1-reviewed': { label: 'R1 reviewed', color: '#f97316' },
  confirmed: { label: 'Confirmed', color: '#dc2626' },
  referred: { label: 'Referred', color: '#a21caf' },
  acknowledged: { label: 'Acknowledged', color: '#2563eb' },
  inspected: { label: 'Inspected', color: '#7c3aed' },
  closed: { label: 'Closed', color: '#334155' },
  verified: { label: 'Verified', color: '#16a34a' },
  dismissed: { label: 'Dismissed', color: '#9ca3af' },
};

/** For a state this page does not know yet. */
export const UNKNOWN_STATUS_COLOR = '#64748b';

export const FLIGHT_TRACK_COLOR = '#0f766e';

export function statusStyle(status: string): StatusStyle {
  return STATUS_STYLES[status] ?? { label: status, color: UNKNOWN_STATUS_COLOR };
}
