import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { workflowTableMarkdown } from './table-markdown.ts';

it('docs/workflow.md shows exactly the workflow table the machine enforces', () => {
  const md = readFileSync(new URL('../../../docs/workflow.md', import.meta.url), 'utf8');
  const start = md.indexOf('| from | action |');
  const end = md.indexOf('\n\n', start);
  expect(md.slice(start, end === -1 ? undefined : end).trim()).toBe(workflowTableMarkdown());
});
