import { accountPath } from "../../shared/dashboard-path";
import { onLinkClick } from "../../shared/navigate";
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

/** Who is signed in, and the way out: on the pages that have no header to say it. */
function SignedInAs({ user, onSignOut }: { user: string; onSignOut(): void }) {
  return (
    <p class="signed-in">
      <span>
        Signed in as <strong>{user}</strong>.
      </span>{" "}
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </p>
  );
}

/** Signed in, but no account where Jasper is installed has this user as an admin. */
export function NoAccountsPage({
  user,
  installUrl,
  onSignOut,
  retry,
}: {
  user: string;
  installUrl: string | null;
  onSignOut(): void;
  retry(): void;
}) {
  return (
    <main id="main" class="narrow">
      <h1>No accounts to show</h1>
      <SignedInAs user={user} onSignOut={onSignOut} />
      <p>
        Jasper shows billing to the admins of the organizations where it is installed, and to a user
        for their own account. None of the accounts you administer has Jasper installed.
      </p>
      <p>Install it on an organization you administer, or ask one of its admins to.</p>
      <p class="actions">
        {installUrl && (
          <a class="button primary" href={installUrl}>
            Install Jasper on GitHub
          </a>
        )}
        <button type="button" onClick={retry}>
          Look again
        </button>
      </p>
      <p>
        Signed in with the wrong GitHub account? Sign out, then sign in with the one that
        administers your organization.
      </p>
    </main>
  );
}

/**
 * An address naming an account this user may not see: the same words whether it exists or
 * not (nothing to learn about other accounts), and the accounts they can see.
 */
export function NotYourAccountPage({
  user,
  accounts,
  onSignOut,
}: {
  user: string;
  accounts: string[];
  onSignOut(): void;
}) {
  return (
    <main id="main" class="narrow">
      <h1>Nothing to show for this account</h1>
      <SignedInAs user={user} onSignOut={onSignOut} />
      <p>
        Jasper is not installed on the account in this address, or you are not one of its admins.
        Your accounts:
      </p>
      <ul>
        {accounts.map((a) => (
          <li key={a}>
            <a href={accountPath(a)} onClick={onLinkClick}>
              {a}
            </a>
          </li>
        ))}
      </ul>
    </main>
  );
}
