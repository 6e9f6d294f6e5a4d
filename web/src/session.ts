/**
 * Signing in and out. The page asks GET /api/session who is signed in; when nobody is (401) it
 * shows the sign-in form and waits for a successful sign-in before the map loads its data. The
 * session cookie is HttpOnly (no script reads it); the CSRF token stays in api.ts's memory.
 */
import { ApiError, currentSession, type SessionUser, signIn, signOut } from './api.ts';
import { byId } from './dom.ts';

/** The signed-in user: at once when a session exists, otherwise after the form succeeds. */
export async function ensureSignedIn(): Promise<SessionUser> {
  const user = (await currentSession()) ?? (await showSignInForm());
  showAccount(user);
  return user;
}

function showSignInForm(): Promise<SessionUser> {
  const backdrop = byId('login');
  const form = byId<HTMLFormElement>('login-form');
  const email = byId<HTMLInputElement>('login-email');
  const password = byId<HTMLInputElement>('login-password');
  const submit = byId<HTMLButtonElement>('login-submit');
  const error = byId('login-error');
  backdrop.hidden = false;
  document.body.dataset.auth = 'signed-out';
  email.focus();

  return new Promise((resolve) => {
    const onSubmit = async (event: SubmitEvent) => {
      event.preventDefault();
      if (email.value.trim() === '' || password.value === '') {
        showError(error, 'Enter your email and password.');
        return;
      }
      submit.disabled = true;
      try {
        const user = await signIn(email.value.trim(), password.value);
        password.value = '';
        error.hidden = true;
        backdrop.hidden = true;
        form.removeEventListener('submit', onSubmit);
        resolve(user);
      } catch (e) {
        password.value = '';
        showError(error, signInMessage(e));
        password.focus();
      } finally {
        submit.disabled = false;
      }
    };
    form.addEventListener('submit', onSubmit);
  });
}

function signInMessage(e: unknown): string {
  if (e instanceof ApiError && e.code === 'PT_ERR_UNAUTHENTICATED') return 'Wrong email or password.';
  if (e instanceof ApiError && e.code === 'PT_ERR_RATE_LIMITED')
    return 'Too many attempts. Wait a minute and try again.';
  return `Could not sign in. ${e instanceof Error ? e.message : String(e)}`;
}

function showError(box: HTMLElement, text: string): void {
  box.textContent = text;
  box.hidden = false;
}

function showAccount(user: SessionUser): void {
  document.body.dataset.auth = 'signed-in';
  byId('account-name').textContent = `${user.displayName} · ${user.role}`;
  byId('account').hidden = false;
  const button = byId<HTMLButtonElement>('sign-out');
  button.addEventListener(
    'click',
    async () => {
      button.disabled = true;
      try {
        await signOut();
      } finally {
        // A fresh page: the sign-in form, and no data of the previous user left in memory.
        window.location.reload();
      }
    },
    { once: true },
  );
}
