/**
 * Whether GitHub can deliver webhooks to a URL. GitHub refuses to register an App whose
 * webhook it cannot reach (this machine, a private network), and docs/operations.md's first run has
 * PUBLIC_URL=http://localhost:3000: the setup page says so before the user finds out on
 * GitHub. Only the host is judged, without DNS: a public name that resolves nowhere passes.
 */
import { isIP } from "node:net";

/**
 * Why GitHub cannot reach `url`, or undefined. `githubCom`: on GitHub Enterprise Server a
 * private network may be GitHub's own, so only this machine's addresses are refused there.
 */
export function unreachableFromGitHub(url: string, githubCom: boolean): string | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(host)) return `${host} is this machine`;
  if (!githubCom) return undefined;
  if (isPrivate(host)) return `${host} is an address on a private network`;
  if (
    isIP(host) === 0 &&
    (!host.includes(".") || /\.(local|internal|lan|home\.arpa)$/.test(host))
  ) {
    return `${host} is not a public host name`;
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    host === "::" ||
    host === "0.0.0.0" ||
    /^127\./.test(host)
  );
}

function isPrivate(host: string): boolean {
  if (isIP(host) === 4) {
    const [a, b] = host.split(".").map(Number) as [number, number];
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  // fc00::/7 (unique local) and fe80::/10 (link-local).
  return isIP(host) === 6 && /^(f[cd]|fe[89ab])/.test(host);
}
