"use client";
// The sign-in and sign-up forms: better-auth/react's client, the same code in both setups.
import { useEffect, useState, type FormEvent } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { authClient } from "@/lib/auth-client";

/** safeCallback returns the callbackUrl parameter when it is a path on this site, else /dashboard. */
function safeCallback(raw: string | null): string {
  if (!raw) return "/dashboard";
  try {
    const u = new URL(raw, window.location.origin);
    if (u.origin === window.location.origin) return u.pathname + u.search + u.hash;
  } catch {}
  return "/dashboard";
}

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  // data-ready: the form is hydrated (a submit before that would be the browser's own GET).
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError("");
    const f = new FormData(e.currentTarget);
    const email = String(f.get("email")), password = String(f.get("password"));
    const { error } =
      mode === "sign-up"
        ? await authClient.signUp.email({ email, password, name: String(f.get("name")) })
        : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (error) {
      setError(error.message || error.statusText || `error ${error.status}`);
      return;
    }
    router.push(safeCallback(params.get("callbackUrl")));
    router.refresh();
  }

  const other = mode === "sign-in" ? "/signup" : "/login";
  const cb = params.get("callbackUrl");
  return (
    <section>
      <h1>{mode === "sign-in" ? "Sign in" : "Create an account"}</h1>
      <form id={mode} onSubmit={submit} data-ready={ready || undefined}>
        {mode === "sign-up" && <input name="name" placeholder="Name" required autoComplete="name" />}
        <input name="email" type="email" placeholder="Email" required autoComplete="email" />
        <input name="password" type="password" placeholder="Password (8 characters or more)" required minLength={8}
          autoComplete={mode === "sign-up" ? "new-password" : "current-password"} />
        <button type="submit" disabled={busy}>{mode === "sign-in" ? "Sign in" : "Sign up"}</button>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
      <p>
        {mode === "sign-in" ? "No account yet? " : "Already have one? "}
        <a href={cb ? `${other}?callbackUrl=${encodeURIComponent(cb)}` : other}>{mode === "sign-in" ? "Sign up" : "Sign in"}</a>
      </p>
    </section>
  );
}
