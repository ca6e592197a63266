// The search page: plain JavaScript over the /v1 API, no libraries, nothing loaded from elsewhere.
'use strict';

const TOP = 10;
const HIDDEN_FIELDS = new Set(['id', 'title', 'description']);
// Field names are data (a record may have a field named 'constructor' or '__proto__'): filters are kept in Maps, never as object keys.
const state = { collections: [], filters: new Map(), filterValues: new Map(), facets: new Map(), searched: '', seq: 0, timer: 0, suggestTimer: 0, total: 0 };
const session = sessionStorage.getItem('semmatch-session') || newSession();

function newSession() {
  const id = self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
  sessionStorage.setItem('semmatch-session', id);
  return id;
}

const collection = () => $('collection').value;
const method = () => document.querySelector('input[name=method]:checked').value;
const info = () => state.collections.find((c) => c.name === collection());

function showError(error) {
  $('status').replaceChildren(el('span', { class: 'error' }, error.message));
  if (error.status === 401) {
    $('key-box').open = true;
    $('status').append(' (enter an API key with the read scope)');
  }
}

async function loadCollections() {
  const list = await api('/v1/collections');
  state.collections = list.collections;
  const select = $('collection');
  const wanted = new URLSearchParams(location.search).get('collection') || select.value || 'demo';
  select.replaceChildren(...state.collections.map((c) => el('option', { value: c.name }, `${c.name} (${c.count})`)));
  if (state.collections.some((c) => c.name === wanted)) select.value = wanted;
  collectionChanged(false);
}

function collectionChanged(search) {
  const current = info();
  const rerank = $('method-rerank');
  rerank.disabled = !(current && current.reranker);
  if (rerank.disabled && rerank.checked) document.querySelector('input[name=method][value=hybrid]').checked = true;
  state.filters = new Map();
  state.filterValues = new Map();
  state.facets = new Map();
  $('filters').replaceChildren();
  $('sort').replaceChildren(el('option', { value: '' }, 'Relevance'));
  if (search) runSearch();
}

function request(searchMethod, extra) {
  const body = { query: $('q').value, limit: TOP, method: searchMethod === 'rerank' ? 'hybrid' : searchMethod, highlight: true, session, ...extra };
  if ($('sort').value) body.sort = [$('sort').value];
  if (searchMethod === 'rerank') body.rerank = true;
  const filters = [...state.filters].filter(([, f]) => f.equals !== undefined || f.min !== undefined || f.max !== undefined)
    .map(([field, f]) => ({ field, ...f }));
  if (filters.length) body.filters = filters;
  return body;
}

function updateUrl() {
  const params = new URLSearchParams();
  if ($('q').value) params.set('q', $('q').value);
  params.set('method', method());
  params.set('collection', collection());
  if ($('compare').checked) params.set('compare', '1');
  history.replaceState(null, '', '?' + params);
}

async function runSearch() {
  updateUrl();
  const query = $('q').value.trim();
  const seq = ++state.seq;
  if (!query) {
    $('results').replaceChildren();
    $('status').textContent = '';
    $('more').hidden = true;
    return;
  }
  try {
    const compare = $('compare').checked;
    const methods = compare ? ['bm25', 'dense'] : [method()];
    const facets = compare ? [] : facetFields();
    const answers = await Promise.all(methods.map((m) => api(searchPath(), request(m, facets.length ? { facets } : {}))));
    if (seq !== state.seq) return; // a newer search is on its way
    answers.forEach(logImpressions);
    state.searched = answers[0].searched;
    state.total = answers[0].total;
    if (answers[0].facets) state.facets = new Map(Object.entries(answers[0].facets));
    const learned = learnFilters(answers.flatMap((a) => a.hits));
    renderStatus(answers[0], answers[0].hits.length, Math.max(...answers.map((a) => a.requestMs)), Math.max(...answers.map((a) => a.tookMs)));
    const results = $('results');
    results.className = compare ? 'columns' : '';
    if (compare) {
      const ids = answers.map((a) => new Set(a.hits.map((h) => h.id)));
      results.replaceChildren(
        column('BM25', answers[0].hits, ids[1], 'semantic'),
        column('Semantic', answers[1].hits, ids[0], 'BM25'));
    } else {
      results.replaceChildren(column(null, answers[0].hits));
    }
    $('more').hidden = compare || answers[0].hits.length >= answers[0].total;
    if (learned && !compare) await loadFacets(seq);
  } catch (error) {
    if (seq === state.seq) showError(error);
  }
}

const MAX_FACETS = 20; // the service's limit
const facetFields = () => [...state.filterValues.keys()].slice(0, MAX_FACETS);
const searchPath = () => `/v1/collections/${encodeURIComponent(collection())}/search`;

// Fields first seen in this answer's hits get their counts from one more request (one hit, the facets).
async function loadFacets(seq) {
  const answer = await api(searchPath(), request(method(), { limit: 1, facets: facetFields() }));
  if (seq !== state.seq || !answer.facets) return;
  state.facets = new Map(Object.entries(answer.facets));
  renderFilters();
}

// The next page, appended below the results shown.
async function moreResults() {
  const list = $('results').querySelector('ol.hits');
  const shown = list ? list.querySelectorAll('li.hit').length : 0;
  const seq = state.seq;
  try {
    const answer = await api(searchPath(), request(method(), { offset: shown }));
    if (seq !== state.seq) return;
    logImpressions(answer);
    list.append(...answer.hits.map((hit) => hitItem(hit, null)));
    renderStatus(answer, shown + answer.hits.length, answer.requestMs, answer.tookMs);
    $('more').hidden = shown + answer.hits.length >= answer.total;
  } catch (error) {
    showError(error);
  }
}

// Completions of what is being typed, in the search box's own dropdown (keyboard: arrow keys, Enter).
function scheduleSuggestions() {
  clearTimeout(state.suggestTimer);
  state.suggestTimer = setTimeout(async () => {
    const prefix = $('q').value;
    if (!prefix.trim() || !collection()) return;
    try {
      const answer = await api(`/v1/collections/${encodeURIComponent(collection())}/suggest?q=${encodeURIComponent(prefix)}&limit=8`);
      if ($('q').value !== prefix) return;
      $('suggestions').replaceChildren(...answer.suggestions.map((s) => el('option', { value: s })));
    } catch (error) {
      // Suggestions are a help, not the search: a failure leaves the box as it is.
    }
  }, 120);
}

function renderStatus(answer, shown, requestMs, serverMs) {
  const parts = [];
  if (answer.corrected) parts.push(el('span', { id: 'correction' }, 'Showing results for ', el('strong', {}, answer.searched), ` (you typed “${answer.query}”). `));
  parts.push(el('span', { id: 'result-count' }, `${shown} of ${answer.total} results`),
    el('span', { id: 'latency' }, ` in ${Math.round(requestMs)} ms (server ${serverMs.toFixed(1)} ms).`));
  $('status').replaceChildren(...parts);
}

function column(title, hits, otherIds, otherName) {
  const list = el('ol', { class: 'hits', 'aria-label': title ? `${title} results` : 'Results' }, hits.map((hit) => {
    const only = otherIds && !otherIds.has(hit.id);
    return hitItem(hit, only ? `only in ${title}` : null);
  }));
  if (!hits.length) list.append(el('li', {}, 'No match. Try other words or fewer filters.'));
  return title ? el('section', { class: 'column' }, el('h2', {}, title), list) : list;
}

function titleOf(record) {
  if (typeof record.title === 'string') return record.title;
  const fields = (info() && info().fields) || [];
  const first = fields.map((f) => record[f]).find((v) => typeof v === 'string');
  return first || record.id;
}

// The server's highlight of a field ("<em>" around matched words, the rest HTML-escaped) as DOM nodes: the escaped
// parts are decoded as text, never parsed as markup.
function highlighted(hit, text) {
  const marked = hit.highlights && hit.highlights[titleField()];
  if (typeof marked !== 'string') return [text];
  const decode = (part) => new DOMParser().parseFromString(`<!doctype html><body>${part}`, 'text/html').body.textContent;
  return marked.split(/(<em>.*?<\/em>)/).filter((part) => part).map((part) =>
    part.startsWith('<em>') ? el('mark', {}, decode(part.slice(4, -5))) : decode(part));
}

function hitItem(hit, onlyLabel) {
  const record = hit.record;
  const meta = Object.entries(record).filter(([k, v]) => !HIDDEN_FIELDS.has(k) && v !== null && typeof v !== 'object' && k !== titleField())
    .map(([k, v]) => `${k}: ${v}`).join(' · ');
  const item = el('li', { class: 'hit' + (onlyLabel ? ' only' : ''), 'data-id': hit.id },
    el('div', { class: 'title' }, highlighted(hit, titleOf(record)), onlyLabel ? el('span', { class: 'badge' }, onlyLabel) : ''),
    el('div', { class: 'meta' }, `#${hit.rank} · score ${hit.score.toFixed(3)}${meta ? ' · ' + meta : ''}`),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'why', onclick: () => explain(hit) }, 'Why this match?'),
      el('button', { type: 'button', class: 'similar', onclick: () => similar(hit) }, 'Similar'),
      el('button', { type: 'button', class: 'relevant', 'aria-pressed': 'false', onclick: (e) => feedback(hit, true, e.currentTarget) }, 'Relevant'),
      el('button', { type: 'button', class: 'not-relevant', 'aria-pressed': 'false', onclick: (e) => feedback(hit, false, e.currentTarget) }, 'Not relevant')));
  return item;
}

function titleField() {
  const fields = (info() && info().fields) || [];
  return fields.includes('title') ? 'title' : fields[0];
}

function openPanel(title, ...content) {
  $('panel-title').textContent = title;
  $('panel-body').replaceChildren(...content);
  $('panel').hidden = false;
  document.querySelector('main').classList.add('with-panel');
  $('close-panel').focus();
}

function closePanel() {
  $('panel').hidden = true;
  document.querySelector('main').classList.remove('with-panel');
}

const num = (value, digits = 3) => (value === null || value === undefined ? '–' : Number(value).toFixed(digits));
// A meter, not a styled span: the page's content security policy allows no inline styles.
const bar = (value, max) => el('meter', { min: 0, max: max || 1, value: Math.max(0, value), 'aria-hidden': 'true' });

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', typeof c === 'number' ? { class: 'num' } : {}, c))))));
}

async function explain(hit) {
  try {
    const searchMethod = $('compare').checked ? 'hybrid' : method();
    const answer = await api(`/v1/collections/${encodeURIComponent(collection())}/search`,
      request(searchMethod, { top: Math.min(50, Math.max(hit.rank, TOP)), explain: true }));
    const found = answer.hits.find((h) => h.id === hit.id);
    if (!found) throw new Error('this result is no longer among the hits; search again');
    const x = found.explanation;
    const maxTerm = Math.max(...x.bm25.terms.map((t) => t.contribution), 0);
    const maxWord = Math.max(...x.dense.queryWords.concat(x.dense.productWords).map((w) => w.contribution), 0);
    const content = [
      el('h3', {}, `BM25: score ${num(x.bm25.score)}, rank ${x.bm25.rank ?? 'beyond the fusion depth'}`),
      table(['query word', 'term', 'contribution', ''], x.bm25.terms.map((t) => [t.word, t.term, num(t.contribution), bar(t.contribution, maxTerm)])),
      ...x.bm25.terms.filter((t) => t.synonymOf && t.contribution > 0)
        .map((t) => el('p', { class: 'synonym-note' }, `Matched “${t.word}” through the synonym “${t.synonymOf}”.`)),
      el('h3', {}, `Semantic: score ${num(x.dense.score)}, rank ${x.dense.rank ?? 'beyond the fusion depth'}`),
      el('p', {}, 'How much the similarity drops when a word is left out:'),
      table(['query word', 'drop', ''], x.dense.queryWords.map((w) => [w.word, num(w.contribution), bar(w.contribution, maxWord)])),
      table(['product word', 'drop', ''], [...x.dense.productWords].sort((a, b) => b.contribution - a.contribution).slice(0, 8)
        .map((w) => [w.word, num(w.contribution), bar(w.contribution, maxWord)])),
    ];
    if (x.fusion) {
      content.push(el('p', { id: 'fusion-shares' },
        `Hybrid (${x.fusion.method.toLowerCase()}): ${num(x.fusion.score)} = BM25 ${num(x.fusion.bm25Part)} (${Math.round(100 * x.fusion.bm25Share)}%) + semantic ${num(x.fusion.densePart)} (${Math.round(100 * x.fusion.denseShare)}%)`));
    }
    if (x.rerank) {
      content.push(el('h3', {}, `Cross-encoder: score ${num(x.rerank.score)}, moved from first-stage rank ${x.rerank.firstStageRank ?? 'beyond the fusion depth'}`),
        table(['query word', 'drop', ''], x.rerank.queryWords.map((w) => [w.word, num(w.contribution), bar(w.contribution, Math.max(...x.rerank.queryWords.map((q) => q.contribution), 0))])));
    }
    openPanel(`Why “${titleOf(hit.record)}”?`, ...content);
  } catch (error) {
    showError(error);
  }
}

async function similar(hit) {
  try {
    const answer = await api(`/v1/collections/${encodeURIComponent(collection())}/records/${encodeURIComponent(hit.id)}/similar?top=5`);
    openPanel(`Similar to “${titleOf(hit.record)}”`,
      el('ol', { class: 'hits', id: 'similar-list' }, answer.hits.map((h) =>
        el('li', { class: 'hit', 'data-id': h.id }, el('div', { class: 'title' }, titleOf(h.record)), el('div', { class: 'meta' }, `score ${num(h.score)}`)))));
  } catch (error) {
    showError(error);
  }
}

// Each hit remembers the search that showed it; what the shopper does with it is an event about that search.
function logImpressions(answer) {
  for (const hit of answer.hits) hit.queryId = answer.queryId;
  if (!answer.hits.length) return;
  const events = answer.hits.map((h) => ({ queryId: answer.queryId, action: 'impression', objectId: h.id, position: h.rank, session }));
  api(`/v1/collections/${encodeURIComponent(collection())}/events`, events).catch(() => {}); // impressions are best effort: a read-only key cannot log them
}

async function feedback(hit, relevant, button) {
  try {
    await api(`/v1/collections/${encodeURIComponent(collection())}/events`,
      [{ queryId: hit.queryId, action: relevant ? 'click' : 'reject', objectId: hit.id, position: hit.rank, session }]);
    button.setAttribute('aria-pressed', 'true');
    $('status').textContent = `Thanks: “${titleOf(hit.record)}” marked ${relevant ? 'relevant' : 'not relevant'}.`;
  } catch (error) {
    showError(error.status === 403 ? new Error('Feedback needs an API key with the write scope.') : error);
  }
}

// Filters come from the records' own fields: a choice for text fields with few values, a range for numbers.
function learnFilters(hits) {
  let changed = false;
  let newField = false;
  for (const hit of hits) {
    for (const [field, value] of Object.entries(hit.record)) {
      if (HIDDEN_FIELDS.has(field) || field === titleField() || value === null || typeof value === 'object') continue;
      if (!state.filterValues.has(field)) {
        state.filterValues.set(field, { numeric: typeof value === 'number', values: new Set() });
        newField = true;
        if (typeof value === 'number') {
          $('sort').append(el('option', { value: `${field}:asc` }, `${field}, lowest first`), el('option', { value: `${field}:desc` }, `${field}, highest first`));
        }
      }
      const values = state.filterValues.get(field);
      if (!values.values.has(value)) {
        values.values.add(value);
        changed = true;
      }
    }
  }
  if (changed) renderFilters();
  return newField;
}

function renderFilters() {
  const controls = [];
  for (const [field, known] of state.filterValues) {
    const current = state.filters.get(field) || {};
    const facet = state.facets.get(field);
    if (known.numeric) {
      for (const bound of ['min', 'max']) {
        const id = `filter-${field}-${bound}`;
        const range = facet && facet[bound] !== undefined ? { placeholder: String(facet[bound]) } : {};
        controls.push(el('label', { for: id }, `${field} ${bound}`), el('input', {
          id, type: 'number', step: 'any', value: current[bound] ?? '', class: 'filter', 'data-field': field, 'data-bound': bound, ...range,
          onchange: (e) => setFilter(field, bound, e.target.value === '' ? undefined : Number(e.target.value)),
        }));
      }
    } else if (known.values.size <= 30) {
      const id = `filter-${field}`;
      const counts = facet && facet.values ? new Map(Object.entries(facet.values)) : new Map();
      for (const value of counts.keys()) known.values.add(value);
      const options = [...known.values].sort().map((v) => el('option', { value: v }, counts.has(String(v)) ? `${v} (${counts.get(String(v))})` : String(v)));
      const select = el('select', { id, class: 'filter', 'data-field': field, onchange: (e) => setFilter(field, 'equals', e.target.value || undefined) },
        el('option', { value: '' }, 'any'), options);
      select.value = current.equals ?? '';
      controls.push(el('label', { for: id }, field), select);
    }
  }
  $('filters').replaceChildren(...controls);
}

function setFilter(field, key, value) {
  const filter = { ...(state.filters.get(field) || {}) };
  if (value === undefined) delete filter[key];
  else filter[key] = value;
  state.filters.set(field, filter);
  runSearch();
}

function scheduleSearch() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runSearch, 250);
}

async function start() {
  const params = new URLSearchParams(location.search);
  $('q').value = params.get('q') || '';
  const wantedMethod = params.get('method');
  const radio = wantedMethod && document.querySelector(`input[name=method][value="${CSS.escape(wantedMethod)}"]`);
  if (radio) radio.checked = true;
  $('compare').checked = params.get('compare') === '1';
  $('api-key').value = localStorage.getItem('semmatch-key') || '';

  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });
  $('q').addEventListener('input', scheduleSearch);
  $('q').addEventListener('input', scheduleSuggestions);
  $('sort').addEventListener('change', runSearch);
  $('more').addEventListener('click', moreResults);
  $('collection').addEventListener('change', () => collectionChanged(true));
  for (const input of document.querySelectorAll('input[name=method], #compare')) input.addEventListener('change', runSearch);
  $('close-panel').addEventListener('click', closePanel);
  $('save-key').addEventListener('click', async () => {
    localStorage.setItem('semmatch-key', $('api-key').value.trim());
    $('key-box').open = false;
    await begin();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !$('panel').hidden) closePanel();
    if (e.key === '/' && document.activeElement !== $('q')) { e.preventDefault(); $('q').focus(); }
  });
  await begin();
}

async function begin() {
  try {
    await loadCollections();
    await runSearch();
  } catch (error) {
    showError(error);
  }
}

start();
