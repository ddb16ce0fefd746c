import { signInUrl } from "./api";

export function SignInPage({ failed }: { failed: boolean }) {
  return (
    <main id="main" class="narrow">
      <h1>Jasper billing</h1>
      {failed && (
        <p class="state error" role="alert">
          Signing in did not work. Please try again.
        </p>
      )}
      <p>Sign in with the GitHub account that administers your organization.</p>
      <a class="button primary" href={signInUrl(window.location.pathname)}>
        Sign in with GitHub
      </a>
    </main>
  );
}

export function NotConfiguredPage({ missing }: { missing: string[] }) {
  return (
    <main id="main" class="narrow">
      <h1>Sign-in is not set up</h1>
      <p>The operator of this Jasper has to set these settings, then restart it:</p>
      <ul>
        {missing.map((name) => (
          <li key={name}>
            <code>{name}</code>
          </li>
        ))}
      </ul>
      <p>
        They are described in the README's configuration table and in <code>.env.example</code>.
      </p>
    </main>
  );
}

export function NoAccountsPage() {
  return (
    <main id="main" class="narrow">
      <h1>No accounts to show</h1>
      <p>
        Jasper shows billing to the admins of organizations where it is installed. Install it on an
        organization you administer, or ask an admin.
      </p>
    </main>
  );
}
