/**
 * The workflow actions the server says the caller may take now (`actions` of GET /api/sites/:id and
 * GET /api/referrals/:id), as buttons. Each button opens a small form for what the action needs (a
 * reason, an outcome, a file, an overflight time); the server decides, and its answer — or its
 * error, in words — shows beside the form. The page never guesses a permission the server did not give.
 */
import {
  ApiError,
  fetchOrganizations,
  postAction,
  REFERRAL_OUTCOMES,
  referralPath,
  sitePath,
  type WorkflowActionKind,
  type WorkflowResult,
} from './api.ts';
import { h } from './dom.ts';

/** What an action acts on: the site, and its referral once it has one (the partner's steps need it). */
export interface ActionTarget {
  siteId: string;
  referralId: string | null;
}

/** The largest file the evidence route takes: its body holds at most 12,000,000 base64 characters. */
export const MAX_EVIDENCE_BYTES = 9_000_000;

type FieldKind = 'text' | 'outcome' | 'file' | 'time' | 'organization';

interface Field {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  hint?: string;
}

interface ActionSpec {
  /** The button's words. */
  label: string;
  /** The submit button's words. */
  submit: string;
  fields: Field[];
  /** Sends the form's values; throws ApiError (shown beside the form) or a plain Error for bad input. */
  send(values: Values, target: ActionTarget): Promise<WorkflowResult>;
}

type Values = Map<string, string | File>;

const reason = (label = 'Reason', required = true, hint?: string): Field => ({
  name: 'reason',
  label,
  kind: 'text',
  required,
  ...(hint ? { hint } : {}),
});

function text(values: Values, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function needReferral(target: ActionTarget): string {
  if (target.referralId === null) throw new Error('This site has no referral to act on.');
  return target.referralId;
}

/** Optional comment of a partner step, only when given. */
function comment(values: Values): { comment?: string } {
  const c = text(values, 'reason');
  return c ? { comment: c } : {};
}

const review =
  (decision: 'reviewed' | 'confirmed' | 'dismissed') =>
  (values: Values, target: ActionTarget): Promise<WorkflowResult> =>
    postAction(sitePath(target.siteId, 'reviews'), { decision, reason: text(values, 'reason') ?? '' });

export const ACTION_SPECS: Readonly<Record<WorkflowActionKind, ActionSpec>> = {
  'r1-review': { label: 'R1 review', submit: 'Record R1 review', fields: [reason()], send: review('reviewed') },
  'r2-confirm': { label: 'Confirm (R2)', submit: 'Confirm site', fields: [reason()], send: review('confirmed') },
  'r2-dismiss': { label: 'Dismiss (R2)', submit: 'Dismiss site', fields: [reason()], send: review('dismissed') },
  refer: {
    label: 'Refer',
    submit: 'Refer site',
    fields: [reason('Reason', false, 'Needed only when you choose the authority.')],
    send: (values, target) => {
      const organizationId = text(values, 'organizationId');
      const why = text(values, 'reason');
      return postAction(sitePath(target.siteId, 'referral'), {
        ...(organizationId ? { organizationId } : {}),
        ...(why ? { reason: why } : {}),
      });
    },
  },
  acknowledge: {
    label: 'Acknowledge',
    submit: 'Acknowledge referral',
    fields: [reason('Comment', false)],
    send: (values, target) => postAction(referralPath(needReferral(target), 'acknowledge'), comment(values)),
  },
  inspect: {
    label: 'Record inspection',
    submit: 'Record inspection',
    fields: [reason('Comment', false)],
    send: (values, target) => postAction(referralPath(needReferral(target), 'inspect'), comment(values)),
  },
  'record-outcome': {
    label: 'Record outcome',
    submit: 'Record outcome',
    fields: [{ name: 'outcome', label: 'Outcome', kind: 'outcome', required: true }, reason('Comment', false)],
    send: (values, target) =>
      postAction(referralPath(needReferral(target), 'outcome'), {
        outcome: text(values, 'outcome') ?? '',
        ...comment(values),
      }),
  },
  verify: {
    label: 'Verify',
    submit: 'Record verification',
    fields: [
      { name: 'overflightAt', label: 'Overflight time (UTC)', kind: 'time', required: true },
      reason('Reason', false),
    ],
    send: (values, target) => {
      const why = text(values, 'reason');
      return postAction(sitePath(target.siteId, 'verify'), {
        overflightAt: utcIso(text(values, 'overflightAt') ?? ''),
        ...(why ? { reason: why } : {}),
      });
    },
  },
  comment: {
    label: 'Comment',
    submit: 'Post comment',
    fields: [reason('Comment')],
    send: (values, target) =>
      postAction(referralPath(needReferral(target), 'comments'), { text: text(values, 'reason') ?? '' }),
  },
  'upload-evidence': {
    label: 'Upload evidence',
    submit: 'Upload',
    fields: [{ name: 'file', label: 'File', kind: 'file', required: true }],
    send: async (values, target) => {
      const file = values.get('file');
      if (!(file instanceof File)) throw new Error('Choose a file to upload.');
      if (file.size === 0) throw new Error(`${file.name} is empty.`);
      if (file.size > MAX_EVIDENCE_BYTES)
        throw new Error(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the largest upload is 9 MB.`);
      return postAction(referralPath(needReferral(target), 'evidence'), {
        filename: file.name,
        mediaType: file.type || 'application/octet-stream',
        contentBase64: base64(new Uint8Array(await file.arrayBuffer())),
      });
    },
  },
};

/** "2025-06-01T14:03" (a datetime-local input, read as UTC) → "2025-06-01T14:03:00Z". */
export function utcIso(local: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local))
    throw new Error('Enter the overflight time as a date and a time (UTC).');
  return `${local.length === 16 ? `${local}:00` : local}Z`;
}

export function base64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** The words for an error beside a form: the server's message and detail, or the page's own. */
export function errorWords(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'PT_ERR_WORKFLOW_FORBIDDEN' || error.code === 'PT_ERR_FORBIDDEN')
      return `Not allowed: ${error.said}`;
    return error.said;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The server asks the analyst to choose the authority (no jurisdiction, or several, contain the site). */
function asksForOrganization(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /referralOrganizationId/.test(error.said);
}

/**
 * Renders the action buttons into `container` (nothing at all when `actions` is empty). `onDone`
 * runs after the server accepted an action, with its answer; the caller refreshes what changed.
 */
export function renderActions(
  container: HTMLElement,
  actions: readonly WorkflowActionKind[],
  target: ActionTarget,
  onDone: (kind: WorkflowActionKind, result: WorkflowResult) => Promise<void>,
): void {
  const known = actions.filter((a) => a in ACTION_SPECS);
  if (known.length === 0) {
    container.replaceChildren();
    container.hidden = true;
    return;
  }
  container.hidden = false;
  const formSlot = h('div', { class: 'action-form-slot' });
  const buttons = known.map((kind) => {
    const button = h('button', {
      class: 'action',
      text: ACTION_SPECS[kind].label,
      attrs: { type: 'button', 'data-action': kind, 'aria-expanded': 'false' },
    });
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') === 'true';
      for (const b of buttons) b.setAttribute('aria-expanded', 'false');
      if (open) {
        formSlot.replaceChildren();
        return;
      }
      button.setAttribute('aria-expanded', 'true');
      const close = () => {
        button.setAttribute('aria-expanded', 'false');
        formSlot.replaceChildren();
        button.focus();
      };
      formSlot.replaceChildren(actionForm(kind, target, close, onDone));
      formSlot.querySelector<HTMLElement>('textarea, select, input')?.focus();
    });
    return button;
  });
  container.replaceChildren(
    h('h3', { text: 'Actions' }),
    h('div', { class: 'action-buttons', attrs: { role: 'group', 'aria-label': 'Workflow actions' } }, buttons),
    formSlot,
  );
}

function actionForm(
  kind: WorkflowActionKind,
  target: ActionTarget,
  close: () => void,
  onDone: (kind: WorkflowActionKind, result: WorkflowResult) => Promise<void>,
): HTMLFormElement {
  const spec = ACTION_SPECS[kind];
  const prefix = `act-${kind}`;
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const rows = h('div', { class: 'action-fields' });
  const addField = (field: Field, before?: Element) => {
    const id = `${prefix}-${field.name}`;
    const input = fieldInput(field, id);
    inputs.set(field.name, input);
    const row = h('div', { class: 'field', attrs: { 'data-field': field.name } }, [
      h('label', { text: field.required ? field.label : `${field.label} (optional)`, attrs: { for: id } }),
      input,
      field.hint ? h('span', { class: 'hint', text: field.hint, attrs: { id: `${id}-hint` } }) : null,
    ]);
    if (field.hint) input.setAttribute('aria-describedby', `${id}-hint`);
    if (before) rows.insertBefore(row, before);
    else rows.append(row);
    return input;
  };
  for (const field of spec.fields) addField(field);

  const error = h('p', { class: 'form-error', attrs: { role: 'alert', id: `${prefix}-error` }, text: '' });
  error.hidden = true;
  const submit = h('button', { class: 'primary', text: spec.submit, attrs: { type: 'submit' } });
  const cancel = h('button', { class: 'secondary', text: 'Cancel', attrs: { type: 'button' } });
  cancel.addEventListener('click', close);
  const form = h(
    'form',
    { class: 'action-form', attrs: { 'data-action': kind, 'aria-label': spec.label, novalidate: '' } },
    [rows, error, h('div', { class: 'form-buttons' }, [submit, cancel])],
  );
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  });
  const showError = (words: string) => {
    error.textContent = words;
    error.hidden = false;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values: Values = new Map();
    for (const [name, input] of inputs) {
      if (input instanceof HTMLInputElement && input.type === 'file') {
        const file = input.files?.[0];
        if (file) values.set(name, file);
      } else values.set(name, input.value);
    }
    // Say what is missing before asking the server (the first missing field, top to bottom).
    for (const input of rows.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
      'input, textarea, select',
    )) {
      const v = values.get(input.name);
      if (input.required && (v === undefined || (typeof v === 'string' && v.trim() === ''))) {
        const label = form.querySelector(`label[for="${input.id}"]`)?.textContent ?? input.name;
        showError(`${label.replace(/ \(optional\)$/, '')} is required.`);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    error.hidden = true;
    let result: WorkflowResult;
    try {
      result = await spec.send(values, target);
    } catch (e) {
      if (kind === 'refer' && asksForOrganization(e) && !inputs.has('organizationId')) {
        // No single jurisdiction contains the site: the analyst names the authority, with a reason.
        try {
          const partners = (await fetchOrganizations()).filter((o) => o.kind === 'partner');
          const select = addField(
            { name: 'organizationId', label: 'Authority', kind: 'organization', required: true },
            rows.firstElementChild ?? undefined,
          ) as HTMLSelectElement;
          select.append(
            h('option', { text: 'Choose…', attrs: { value: '' } }),
            ...partners.map((o) =>
              h('option', {
                text: o.jurisdictions.length ? `${o.name} (${o.jurisdictions.join(', ')})` : o.name,
                attrs: { value: o.id },
              }),
            ),
          );
          const why = inputs.get('reason');
          if (why) {
            why.required = true;
            const label = form.querySelector(`label[for="${why.id}"]`);
            if (label) label.textContent = 'Reason';
          }
          showError(`${errorWords(e)}. Choose the authority to refer the site to, and say why.`);
          select.focus();
        } catch (orgError) {
          showError(`${errorWords(e)}. The partner organizations could not be loaded: ${errorWords(orgError)}`);
        }
      } else {
        showError(errorWords(e));
      }
      submit.disabled = false;
      form.removeAttribute('aria-busy');
      return;
    }
    try {
      await onDone(kind, result);
    } catch (e) {
      // The server took the action; only showing its result failed.
      showError(`Done (the site is now ${result.status}), but the page could not refresh: ${errorWords(e)}`);
      submit.disabled = true;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

function fieldInput(field: Field, id: string): HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
  const attrs: Record<string, string> = { id, name: field.name };
  let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  switch (field.kind) {
    case 'text':
      input = h('textarea', { attrs: { ...attrs, rows: '3', maxlength: '4000' } });
      break;
    case 'outcome':
      input = h('select', { attrs }, [
        h('option', { text: 'Choose…', attrs: { value: '' } }),
        ...REFERRAL_OUTCOMES.map((o) => h('option', { text: o.replace('-', ' '), attrs: { value: o } })),
      ]);
      break;
    case 'organization':
      input = h('select', { attrs });
      break;
    case 'file':
      input = h('input', { attrs: { ...attrs, type: 'file' } });
      break;
    case 'time':
      input = h('input', { attrs: { ...attrs, type: 'datetime-local', step: '60' } });
      break;
  }
  input.required = field.required;
  return input;
}
