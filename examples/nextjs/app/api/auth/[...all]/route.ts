// Better Auth's endpoints in the Next.js setup. In the mirror setup proxy.ts sends /api/auth/* to the
// Go server before this route is reached.
import { getAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return getAuth().handler(request);
}

export async function POST(request: Request) {
  return getAuth().handler(request);
}
