import { useState } from "preact/hooks";
import { useAccount } from "../../shared/account";
import { date } from "../../shared/format";
import { Empty, ErrorNote, Loaded } from "../../shared/states";
import { useLoad } from "../../shared/use-load";
import { createKey, listKeys, revokeKey } from "./api";

export function ApiKeysPage() {
  const { org } = useAccount();
  const [keys, reload] = useLoad(() => listKeys(org), [org]);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("read");
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function create(e: Event) {
    e.preventDefault();
    setProblem(null);
    setCopied(false);
    if (!name.trim()) return setProblem("Give the key a name, e.g. the CI that uses it.");
    try {
      const k = await createKey(org, name.trim(), scope);
      setCreated({ name: k.name, key: k.key });
      setName("");
      reload();
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  async function revoke(id: string, keyName: string) {
    if (!window.confirm(`Revoke the key "${keyName}"? Whatever uses it stops working.`)) return;
    setProblem(null);
    try {
      await revokeKey(org, id);
      reload();
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setProblem("Copying did not work: select the key and copy it yourself.");
    }
  }

  return (
    <>
      <h1>API keys</h1>
      <p>Keys let programs (CI, scripts) read {org}'s billing; write keys may also buy credits.</p>
      {problem && <ErrorNote message={problem} />}
      {created && (
        <section class="notice" aria-live="polite" data-testid="new-key">
          <h2>Your new key “{created.name}”</h2>
          <p>Copy it now: it is shown only this once.</p>
          <p>
            <code class="secret" data-testid="new-key-value">
              {created.key}
            </code>{" "}
            <button type="button" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy"}
            </button>
          </p>
        </section>
      )}
      <form class="inline" onSubmit={(e) => void create(e)}>
        <label for="key-name">Name</label>
        <input
          id="key-name"
          value={name}
          maxLength={100}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="key-scope">Scope</label>
        <select
          id="key-scope"
          value={scope}
          onChange={(e) =>
            setScope((e.currentTarget as HTMLSelectElement).value as "read" | "write")
          }
        >
          <option value="read">Read</option>
          <option value="write">Write (may buy credits)</option>
        </select>
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
      <Loaded value={keys} what="API keys" retry={reload}>
        {({ apiKeys }) =>
          apiKeys.length === 0 ? (
            <Empty>No API keys yet.</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="api-keys">
                <caption class="visually-hidden">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {apiKeys.map((k) => (
                    <tr key={k.id} data-key={k.name}>
                      <td>{k.name}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>{k.scope}</td>
                      <td>{date(k.createdAt)}</td>
                      <td>{k.lastUsedAt ? date(k.lastUsedAt) : "never"}</td>
                      <td>
                        {k.revokedAt ? (
                          `revoked ${date(k.revokedAt)}`
                        ) : (
                          <button
                            type="button"
                            aria-label={`Revoke ${k.name}`}
                            onClick={() => void revoke(k.id, k.name)}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </>
  );
}
