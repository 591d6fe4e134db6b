"use client";
// The browser calls the Go API itself, through this app's /api/go/* proxy (proxy.ts): no token, only
// the first-party session cookie, which the Go API checks in the same database.
import { useCallback, useEffect, useState } from "react";

type Result = { status: number; email?: string; role?: string; text?: string };

export function CookieCall() {
  const [result, setResult] = useState<Result | null>(null);
  const call = useCallback(async () => {
    setResult(null);
    try {
      const res = await fetch("/api/go/me", { credentials: "same-origin", cache: "no-store" });
      const text = await res.text();
      let body: any = null;
      try {
        body = JSON.parse(text);
      } catch {}
      setResult(res.ok ? { status: res.status, email: body?.user?.email, role: body?.user?.role } : { status: res.status, text });
    } catch (err) {
      setResult({ status: 0, text: String(err) });
    }
  }, []);
  useEffect(() => {
    void call();
  }, [call]);
  return (
    <section data-test="cookie-call">
      <h2>The Go API, called by your browser with your session cookie</h2>
      {result === null ? (
        <p>Calling <code>/api/go/me</code>…</p>
      ) : result.status === 200 ? (
        <dl className="ok" data-test="cookie-ok">
          <dt>status</dt>
          <dd data-test="cookie-status">200</dd>
          <dt>email</dt>
          <dd data-test="cookie-email">{result.email}</dd>
          <dt>role</dt>
          <dd>{result.role ?? "(none)"}</dd>
        </dl>
      ) : (
        <p className="error" data-test="cookie-error">
          <span data-test="cookie-status">{result.status}</span>{" "}
          {result.status === 401 ? "The Go API refused the cookie: the session is over." : `The Go API could not be asked: ${result.text}`}
        </p>
      )}
      <button type="button" onClick={call}>Call again</button>
    </section>
  );
}
