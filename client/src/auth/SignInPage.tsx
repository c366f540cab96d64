import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api } from '../api/api-client';
import { useClientSettings } from '../api/client-settings';
import { FieldError, FormError } from '../ui/FieldError';
import { signIn } from './session';

/** Where a signed-out visitor was going, so that signing in takes them there. */
function useReturnPath(): string {
  const state = useLocation().state as { from?: string } | null;
  return state?.from ?? '/';
}

/** Development: any name, optionally admin, signed by the entry point. Production: paste a token. */
export function SignInPage() {
  const settings = useClientSettings();
  if (settings.isPending) return <p>Loading…</p>;
  if (settings.isError) return <FormError error={settings.error} fields={[]} />;
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {settings.data.signIn === 'development' ? (
        <DevelopmentSignIn />
      ) : (
        <TokenSignIn identityProviderUrl={settings.data.identityProviderUrl} />
      )}
    </section>
  );
}

function DevelopmentSignIn() {
  const navigate = useNavigate();
  const returnPath = useReturnPath();
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const mutation = useMutation({
    mutationFn: () =>
      api<{ token: string }>('/api/dev/sign-in', { method: 'POST', body: { name: name.trim(), admin } }),
    onSuccess: ({ token }) => {
      signIn(token);
      navigate(returnPath, { replace: true });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <p className="hint">Development sign-in: there are no passwords on this system.</p>
      <label htmlFor="sign-in-name">User name</label>
      <input
        id="sign-in-name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        autoComplete="username"
        required
        aria-describedby="sign-in-name-error"
      />
      <FieldError id="sign-in-name-error" error={mutation.error} field="name" />
      <label className="checkbox">
        <input type="checkbox" checked={admin} onChange={(event) => setAdmin(event.target.checked)} />
        Admin (sees the payments dashboard)
      </label>
      <FormError error={mutation.error} fields={['name', 'admin']} />
      <button type="submit" disabled={mutation.isPending}>
        Sign in
      </button>
    </form>
  );
}

function TokenSignIn({ identityProviderUrl }: { identityProviderUrl: string | null }) {
  const navigate = useNavigate();
  const returnPath = useReturnPath();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    try {
      signIn(token.trim());
      navigate(returnPath, { replace: true });
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      {identityProviderUrl && (
        <p>
          Get a token from <a href={identityProviderUrl}>your identity provider</a>, then paste it here.
        </p>
      )}
      <label htmlFor="sign-in-token">Access token (JWT)</label>
      <textarea
        id="sign-in-token"
        value={token}
        onChange={(event) => setToken(event.target.value)}
        rows={4}
        required
        aria-describedby="sign-in-token-error"
      />
      {error && (
        <p id="sign-in-token-error" className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Sign in</button>
    </form>
  );
}
