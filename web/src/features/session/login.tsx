// The sign-in page.
import { useEffect, useRef, useState } from "preact/hooks";
import { login } from "../../core/api.ts";
import { Alert } from "../../ui/alert.tsx";

export interface LoginProps {
  address?: string;
  /** An error to show right away (e.g. the server could not be reached). */
  error?: string | null;
  onSignedIn(jid: string): void;
}

export function Login(props: LoginProps) {
  const address = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(props.error ?? null);

  useEffect(() => {
    (props.address ? password : address).current?.focus();
  }, []);

  return (
    <main class="login-page">
      <form
        class="login-form"
        noValidate
        aria-busy={busy || undefined}
        onSubmit={(ev) => {
          ev.preventDefault();
          const a = address.current;
          const p = password.current;
          if (busy || !a || !p) return;
          const addr = a.value.trim();
          if (!addr || !p.value) {
            setError(!addr ? "Enter your address (like alice@example.org)." : "Enter your password.");
            (!addr ? a : p).focus();
            return;
          }
          setBusy(true);
          setError(null);
          void login(addr, p.value).then((result) => {
            if (result.ok) {
              props.onSignedIn(result.jid);
              return;
            }
            setBusy(false);
            setError(result.error);
            p.focus();
            p.select();
          });
        }}
      >
        <h1 class="login-title">Parley</h1>
        <p class="login-sub">Sign in with your XMPP account.</p>
        <div class="field">
          <label for="login-address">Address</label>
          <input
            ref={address}
            id="login-address"
            name="address"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            inputMode="email"
            placeholder="you@example.org"
            required
            defaultValue={props.address ?? ""}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            ref={password}
            id="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <div class="feedback">
          <Alert message={error} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
