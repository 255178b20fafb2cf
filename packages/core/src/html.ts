/**
 * Text made safe for HTML content and attribute values.
 * @example
 * ```ts
 * import { escapeHtml } from "@dataloop-ts/core";
 *
 * escapeHtml(`<b title="x">Tom & Jerry</b>`); // "&#60;b title=&#34;x&#34;&#62;Tom &#38; Jerry&#60;/b&#62;"
 * ```
 */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A small page for a browser tab (login results): the title is escaped, `bodyHtml` is trusted markup.
 * @example
 * ```ts
 * import { escapeHtml, htmlPage } from "@dataloop-ts/core";
 *
 * const email = "ann@example.com";
 * const page = htmlPage("Logged in", `<p>You are signed in as ${escapeHtml(email)}. You may close this tab.</p>`);
 * ```
 */
export const htmlPage = (title: string, bodyHtml: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  `<meta name="viewport" content="width=device-width"><style>body{font:16px system-ui,sans-serif;` +
  `max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>` +
  `<body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;

/**
 * Text from outside (an e-mail someone typed, a gateway's message) made safe to print: control
 * characters (line breaks, terminal escapes) shown as `\uXXXX` instead of acting on the terminal or
 * forging a second log line.
 * @example
 * ```ts
 * import { printable } from "@dataloop-ts/core";
 *
 * printable("ann@example.com\n[ok] admin logged in"); // "ann@example.com\\u000a[ok] admin logged in": one line
 * ```
 */
export const printable = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
