// The Better Auth client, unchanged in both setups: it calls this app's own /api/auth, which is Better Auth
// in Next.js, or in the mirror setup proxied by proxy.ts to gobetterauth's Go server, so the session
// cookie stays first-party either way.
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();
