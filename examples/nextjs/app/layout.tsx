import type { ReactNode } from "react";
import "./style.css";

export const metadata = { title: "Next.js + Better Auth + a Go API" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/">Next.js + Better Auth + a Go API</a>
          <nav>
            <a href="/dashboard">Dashboard</a> <a href="/login">Sign in</a> <a href="/signup">Sign up</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
