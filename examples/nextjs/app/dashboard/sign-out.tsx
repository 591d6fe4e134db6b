"use client";
import { useRouter } from "next/navigation";
import { authClient } from "@/lib/auth-client";

export function SignOut() {
  const router = useRouter();
  return (
    <button type="button" id="sign-out" onClick={async () => {
      await authClient.signOut();
      router.push("/login");
      router.refresh();
    }}>
      Sign out
    </button>
  );
}
