// No rewrites here: Next.js fixes next.config rewrites at build time, and this app's Go API and auth server
// are chosen when it starts (GO_API_URL, AUTH_SERVER_URL), so proxy.ts proxies /api/go/* and /api/auth/*.
/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  serverExternalPackages: ["better-sqlite3"],
};

export default nextConfig;
