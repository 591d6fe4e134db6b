import { Suspense } from "react";
import { AuthForm } from "../auth-form";

export default function SignUp() {
  return (
    <Suspense>
      <AuthForm mode="sign-up" />
    </Suspense>
  );
}
