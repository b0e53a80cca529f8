/**
 * `/docs`: a self-contained page (no CDN, works offline) that reads /openapi.json and lets you try
 * every operation: a form per operation for its path and query parameters and JSON body, a bearer
 * token field (filled in automatically after signup/login), and the answer shown with its status.
 */
export const docsPage = (title: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · API docs</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
header{background:#1d2330;color:#fff;padding:1rem 2rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header h1{font-size:1.2rem;margin:0;flex:1}header input{width:28rem;max-width:90vw;padding:.3rem}
main{max-width:60rem;margin:1rem auto;padding:0 1rem}h2{margin:1.5rem 0 .5rem;text-transform:capitalize}
details{background:#fff;border:1px solid #d8dce6;border-radius:6px;margin:.4rem 0}
summary{cursor:pointer;padding:.5rem .8rem;display:flex;gap:.8rem;align-items:baseline}
.m{font:600 12px monospace;padding:.1rem .4rem;border-radius:3px;color:#fff;min-width:3.5rem;text-align:center}
.GET{background:#2b6cb0}.POST{background:#2f855a}.PATCH{background:#b7791f}.DELETE{background:#c53030}
code,pre,textarea{font:13px/1.4 ui-monospace,monospace}.body{padding:.2rem 1rem 1rem}
label{display:block;margin:.3rem 0}label span{display:inline-block;min-width:8rem}
textarea{width:100%;min-height:7rem;box-sizing:border-box}pre{background:#f0f2f7;padding:.6rem;overflow:auto;max-height:24rem}
button{padding:.3rem 1rem;margin-top:.4rem}.lock{color:#b7791f;font-size:12px}.status{font-weight:600}
</style></head><body>
<header><h1>${title}</h1><label>Bearer token <input id="token" placeholder="sign up or log in below; filled in automatically"></label>
<a style="color:#9cf" href="/openapi.json">openapi.json</a></header>
<main id="root"><p>Loading /openapi.json…</p></main>
<script>
const tokenInput = document.getElementById("token");
tokenInput.value = localStorage.getItem("cinematch-docs-token") || "";
tokenInput.addEventListener("change", () => localStorage.setItem("cinematch-docs-token", tokenInput.value));
let doc;
const resolve = (s) => { while (s && s.$ref) s = doc.components.schemas[s.$ref.split("/").pop()]; return s || {}; };
const example = (s, depth = 0) => {
  s = resolve(s);
  if (s.examples && s.examples.length) return s.examples[0];
  if (depth > 4) return null;
  if (s.anyOf) return example(s.anyOf.find((x) => resolve(x).type !== "null") || s.anyOf[0], depth + 1);
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  switch (s.type) {
    case "object": { const o = {}; for (const [k, v] of Object.entries(s.properties || {})) if ((s.required || []).includes(k) || depth === 0) o[k] = example(v, depth + 1); return o; }
    case "array": return [];
    case "integer": case "number": return s.minimum ?? 1;
    case "boolean": return true;
    case "string": return s.format === "email" ? "alice@example.com" : s.minLength >= 8 ? "correct horse battery" : "text";
    default: return null;
  }
};
const el = (tag, attrs = {}, ...children) => { const e = document.createElement(tag); Object.assign(e, attrs); e.append(...children); return e; };
const operation = (path, method, op) => {
  const d = el("details");
  d.append(el("summary", {}, el("span", { className: "m " + method.toUpperCase(), textContent: method.toUpperCase() }), el("code", { textContent: path }), el("span", { textContent: op.summary || "" }), op.security && op.security.some((s) => s.bearerAuth) ? el("span", { className: "lock", textContent: "🔒 token" }) : ""));
  const body = el("div", { className: "body" });
  if (op.description) body.append(el("p", { textContent: op.description }));
  const inputs = {};
  for (const p of op.parameters || []) {
    const input = el("input", { placeholder: p.required ? "required" : "optional" });
    inputs[p.name] = { input, where: p.in };
    body.append(el("label", {}, el("span", { textContent: p.name + " (" + p.in + ")" }), input));
  }
  let textarea;
  if (op.requestBody) {
    const schema = op.requestBody.content["application/json"].schema;
    textarea = el("textarea", { value: JSON.stringify(example(schema), null, 2) });
    body.append(el("label", { textContent: "JSON body" }), textarea);
  }
  const out = el("pre", { textContent: "" });
  const send = el("button", { textContent: "Send" });
  send.addEventListener("click", async () => {
    let url = path; const query = new URLSearchParams();
    for (const [name, { input, where }] of Object.entries(inputs)) {
      if (where === "path") url = url.replace("{" + name + "}", encodeURIComponent(input.value));
      else if (input.value !== "") query.set(name, input.value);
    }
    if ([...query].length) url += "?" + query;
    const headers = { accept: "application/json" };
    if (tokenInput.value) headers.authorization = "Bearer " + tokenInput.value;
    if (textarea) headers["content-type"] = "application/json";
    if (path === "/live") { out.textContent = "Open " + url + (tokenInput.value ? "?token=…" : "") + " with EventSource; streams do not fit this page."; return; }
    out.textContent = "…";
    try {
      const response = await fetch(url, { method: method.toUpperCase(), headers, body: textarea ? textarea.value : undefined });
      const text = await response.text();
      let shown = text; try { const parsed = JSON.parse(text); shown = JSON.stringify(parsed, null, 2); if (parsed && parsed.token) { tokenInput.value = parsed.token; localStorage.setItem("cinematch-docs-token", parsed.token); } } catch {}
      out.textContent = response.status + " " + response.statusText + "\\n\\n" + shown;
    } catch (e) { out.textContent = "Request failed: " + e; }
  });
  const responses = el("ul");
  for (const [status, r] of Object.entries(op.responses || {})) responses.append(el("li", {}, el("span", { className: "status", textContent: status + " " }), r.description));
  body.append(send, out, el("p", { textContent: "Responses:" }), responses);
  d.append(body);
  return d;
};
fetch("/openapi.json").then((r) => r.json()).then((json) => {
  doc = json;
  const root = document.getElementById("root"); root.textContent = "";
  root.append(el("p", { textContent: doc.info.description }));
  const byTag = new Map();
  for (const [path, methods] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(methods)) {
    const tag = (op.tags || ["other"])[0]; if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push([path, method, op]);
  }
  for (const [tag, ops] of byTag) { root.append(el("h2", { textContent: tag })); for (const o of ops) root.append(operation(...o)); }
}, (e) => { document.getElementById("root").textContent = "Could not load /openapi.json: " + e; });
</script></body></html>`;
