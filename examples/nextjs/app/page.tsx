import { settings } from "@/lib/settings.mjs";

export const dynamic = "force-dynamic";

export default function Home() {
  const s = settings();
  return (
    <section>
      <h1>Next.js, Better Auth and a Go API</h1>
      <p>
        Sign-in is served by{" "}
        {s.authServerURL ? <b>gobetterauth&apos;s Go server</b> : <b>Better Auth in this Next.js app</b>}; the dashboard
        asks the Go API who you are.
      </p>
      <p>
        <a href="/signup">Sign up</a> or <a href="/login">sign in</a>, then open the <a href="/dashboard">dashboard</a>.
      </p>
    </section>
  );
}
