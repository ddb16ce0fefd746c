/**
 * Builds pull request page links on a GitHub web host: https://github.com, or a GitHub
 * Enterprise server (its web address, not its /api/v3).
 */
export function pullRequestUrlOn(webUrl: string) {
  const base = webUrl.replace(/\/+$/, "");
  return (repository: string, number: number): string => `${base}/${repository}/pull/${number}`;
}
