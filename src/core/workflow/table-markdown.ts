/** The workflow table as Markdown rows (docs/workflow.md holds them; a test keeps the two equal). */
import { type TableCell, WORKFLOW_TABLE } from './machine.ts';

const who = (c: TableCell) =>
  c.who.map((w) => `${w.role} of the ${w.org === 'site' ? "site's" : "referral's"} organization`).join(', or ');

export function workflowTableMarkdown(): string {
  const rows = WORKFLOW_TABLE.map(
    (c) => `| ${c.from} | ${c.action} | ${c.to} | ${who(c)} | ${c.rule.replaceAll('|', '\\|')} |`,
  );
  return ['| from | action | to | who | rules |', '|---|---|---|---|---|', ...rows].join('\n');
}
