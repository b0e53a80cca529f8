import { useState } from "preact/hooks";
import { logIn, type Session, signUp } from "../api.ts";

export const AuthScreen = ({
  mode,
  reason,
  onSession,
}: {
  readonly mode: "login" | "signup";
  readonly reason: string | null;
  readonly onSession: (session: Session) => void;
}) => {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signingUp = mode === "signup";

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await (signingUp ? signUp : logIn)(email.trim(), password);
    setBusy(false);
    if (result.ok && result.value.token) onSession(result.value);
    else if (result.ok) setError("The server answered without a token.");
    else if (!signingUp && result.status === 401)
      setError("That email and password do not match an account.");
    else if (signingUp && result.status === 409)
      setError("An account with that email exists already. Log in instead?");
    else setError(result.message);
  };

  return (
    <section class="screen narrow" aria-labelledby="auth-title">
      <h2 id="auth-title" tabIndex={-1}>
        {signingUp ? "Create your account" : "Log in"}
      </h2>
      {reason ? <p class="notice">{reason}</p> : null}
      <form class="stack" onSubmit={submit}>
        <label>
          <span>Email</span>
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            maxLength={254}
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label>
          <span>Password</span>
          <input
            name="password"
            type="password"
            autoComplete={signingUp ? "new-password" : "current-password"}
            required
            minLength={signingUp ? 8 : 1}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          {signingUp ? <small class="muted">At least 8 characters.</small> : null}
        </label>
        {error ? (
          <p class="notice error" role="alert">
            {error}
          </p>
        ) : null}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? "Please wait…" : signingUp ? "Sign up" : "Log in"}
        </button>
      </form>
      <p class="muted">
        {signingUp ? (
          <>
            Already have an account? <a href="#/login">Log in</a>
          </>
        ) : (
          <>
            New here? <a href="#/signup">Create an account</a>
          </>
        )}
      </p>
    </section>
  );
};
