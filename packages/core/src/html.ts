/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small page for a browser tab (login results): the title is escaped, `bodyHtml` is trusted markup. */
export const htmlPage = (title: string, bodyHtml: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  `<meta name="viewport" content="width=device-width"><style>body{font:16px system-ui,sans-serif;` +
  `max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>` +
  `<body><h1>${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;

/**
 * Text from outside (an e-mail someone typed, a gateway's message) made safe to print: control
 * characters (line breaks, terminal escapes) shown as `\uXXXX` instead of acting on the terminal or
 * forging a second log line.
 */
export const printable = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
