/**
 * The setup pages' stylesheet, in the dashboard's colours. Served from /setup/style.css (the
 * pages' Content-Security-Policy allows styles from this origin only, nothing inline); kept
 * here rather than in a .css file, so the build has nothing to copy beside the compiled code.
 */
export const SETUP_STYLE_PATH = "/setup/style.css";

export const SETUP_CSS = `:root {
  color: #1b1f24;
  background: #ffffff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.5;
}
body { margin: 0; }
main { max-width: 42rem; margin: 0 auto; padding: 3rem 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
a { color: #0b5cad; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: #f4f6f8; padding: 0.1rem 0.3rem; border-radius: 4px; }
pre { background: #f4f6f8; padding: 0.5rem; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
ul { padding-left: 1.25rem; }
dt { font-weight: 600; margin-top: 0.75rem; }
dd { margin: 0.25rem 0 0; }
button {
  font: inherit;
  padding: 0.5rem 1rem;
  min-height: 2.5rem;
  border: 1px solid #0b5cad;
  border-radius: 6px;
  background: #0b5cad;
  color: #ffffff;
  cursor: pointer;
}
:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
`;
