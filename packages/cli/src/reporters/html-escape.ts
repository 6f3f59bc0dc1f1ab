// Text and data made safe to place in HTML: escaped for elements and attributes, and JSON that
// cannot close the <script> element it sits in.
export function escapeHtml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** JSON for a `<script type="application/json">`: `<` escaped, so "</script>" in a label is inert. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
