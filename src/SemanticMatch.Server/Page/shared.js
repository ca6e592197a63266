// What both pages share: element lookup, the API call, element building. Loaded before app.js and analytics.js.
'use strict';

const $ = (id) => document.getElementById(id);

// Calls the API; a ProblemDetails answer becomes an Error carrying its detail and status.
async function api(path, body, method) {
  const headers = { 'Accept': 'application/json' };
  const key = localStorage.getItem('semmatch-key');
  if (key) headers['Authorization'] = 'Bearer ' + key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(path, { method: method || (body === undefined ? 'GET' : 'POST'), headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (data && typeof data === 'object') Object.defineProperty(data, 'requestMs', { value: performance.now() - started }); // the request itself, body read
  if (!response.ok) {
    const error = new Error((data && (data.detail || data.title)) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child));
  return node;
}
