/**
 * Building HTML safely: every interpolated value goes through `escapeHtml` unless it is markup
 * already built by the `html` tag. Event text is attacker-controlled; there is no other way to
 * put text into a page.
 */

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Markup already escaped (built by `html`), as opposed to text. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

export type Interpolation = Html | string | number | undefined | null | readonly Html[];

/** A template tag that escapes every interpolated string; arrays of `Html` are joined. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (value instanceof Html) out += value.markup;
    else if (Array.isArray(value)) out += value.map((v: Html) => v.markup).join('');
    else if (value !== undefined && value !== null) out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}

/** `2025-01-01T00:00:01.500Z` → `2025-01-01 00:00:01 UTC` (live.js formats the same way). */
export function time(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/**
 * A whole page. Styles and the live script are files (`/ui/tokens.css`, the store's design tokens;
 * `/ui/inbox.css`; `/ui/live.js`) so the Content-Security-Policy can forbid every inline script
 * and style. A skip link, a banner and a main landmark make it readable by keyboard and screen
 * reader.
 */
export function page(title: string, body: Html, options: { readonly live?: boolean; readonly nav: Html }): string {
  const script = options.live ? html`<script src="/ui/live.js" defer></script>` : '';
  return `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/ui/tokens.css"><link rel="stylesheet" href="/ui/inbox.css">${script}</head><body><a class="skip-link" href="#main">Skip to content</a>${options.nav.markup === '' ? '' : html`<header class="topbar">${options.nav}</header>`}<main id="main">${body}</main></body></html>`.markup
  }\n`;
}
