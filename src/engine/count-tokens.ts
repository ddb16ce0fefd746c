/**
 * Counts tokens the way OpenAI's o200k_base encoding does (GPT-4o and later models), with
 * gpt-tokenizer: pure JavaScript, its tables in the package, nothing fetched at run time.
 * Other models' tokenizers differ by a few percent up to a fifth: the engine keeps a margin,
 * and retries a provider's context-length refusal with fewer files.
 */
type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

/** The counter, loaded on first use: its table is large and only the AI engine needs it. */
export function tokenCounter(): Promise<CountTokens> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then(
    ({ countTokens }) =>
      // A diff may hold "<|endoftext|>" and the like: counted as text, never refused.
      (text: string) =>
        countTokens(text, { disallowedSpecial: new Set() }),
  );
  return loading;
}
