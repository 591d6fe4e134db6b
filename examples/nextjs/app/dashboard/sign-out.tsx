"use client";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { authClient } from "@/lib/auth-client";

export function SignOut() {
  const router = useRouter();
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return (
    <button type="button" id="sign-out" data-ready={ready || undefined} onClick={async () => {
      await authClient.signOut();
      router.push("/login");
      router.refresh();
    }}>
      Sign out
    </button>
  );
}
