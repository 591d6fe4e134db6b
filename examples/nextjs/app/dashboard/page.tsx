// The dashboard: a server component that asks the Go API who the user is, with the user's JWT, and shows
// its answer. ?token=forged sends a token whose payload was changed (the signature no longer matches):
// the Go API answers 401 and the page says so.
import { redirect } from "next/navigation";
import { callGoAPI, forge, userJWT, type GoAnswer } from "@/lib/go-api";
import { settings } from "@/lib/settings.mjs";
import { CookieCall } from "./cookie-call";
import { SignOut } from "./sign-out";

export const dynamic = "force-dynamic";

export default async function Dashboard({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token: mode } = await searchParams;
  const s = settings();
  let jwt: string | null;
  try {
    jwt = await userJWT();
  } catch (err: any) {
    return (
      <section>
        <h1>Dashboard</h1>
        <p className="error" data-test="auth-error">Could not get your token: {String(err?.message ?? err)}</p>
      </section>
    );
  }
  if (!jwt) redirect("/login?callbackUrl=/dashboard");
  const forged = mode === "forged";
  const answer = await callGoAPI("/api/me", forged ? forge(jwt) : jwt);
  return (
    <>
      <section>
        <h1>Dashboard</h1>
        <p>
          Auth: {s.authServerURL ? "gobetterauth's Go server" : "Better Auth in Next.js"}; Go API: <code>{s.goAPIURL}</code>
        </p>
        <SignOut />
      </section>
      <section data-test="jwt-call">
        <h2>The Go API, called by this page&apos;s server with {forged ? "a forged" : "your"} JWT</h2>
        <GoAPIAnswer answer={answer} />
        <p>
          {forged ? <a href="/dashboard">Send my real token</a> : <a href="/dashboard?token=forged">Send a forged token</a>}
        </p>
      </section>
      <CookieCall />
    </>
  );
}

function GoAPIAnswer({ answer }: { answer: GoAnswer }) {
  if (answer.status === 200) {
    const user = answer.body?.user ?? {};
    return (
      <dl className="ok" data-test="jwt-ok">
        <dt>status</dt>
        <dd data-test="jwt-status">200</dd>
        <dt>email</dt>
        <dd data-test="jwt-email">{user.email}</dd>
        <dt>role</dt>
        <dd data-test="jwt-role">{user.role ?? "(not set: the auth server has no admin plugin)"}</dd>
        <dt>user id</dt>
        <dd>{user.id}</dd>
      </dl>
    );
  }
  if (answer.status === 0) {
    return <p className="error" data-test="jwt-error">{answer.error}</p>;
  }
  const why = answer.status === 401
    ? "The Go API refused the token: it is forged, expired or not signed by the auth server's keys."
    : `The Go API answered ${answer.status}.`;
  return (
    <div className="error" data-test="jwt-error">
      <p>
        <span data-test="jwt-status">{answer.status}</span> {why}
      </p>
      <p>
        Its answer: <code>{typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body)}</code>
      </p>
    </div>
  );
}
