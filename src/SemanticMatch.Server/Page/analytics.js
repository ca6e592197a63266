// The analytics page: GET /v1/collections/{name}/analytics drawn as totals, a per-day chart (SVG) and three tables.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const percent = (x) => (100 * x).toFixed(1) + ' %';
const position = (x) => (x === null || x === undefined ? '–' : x.toFixed(1));
const isoDay = (date) => date.toISOString().slice(0, 10);

function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function showError(error) {
  $('status').replaceChildren(el('span', { class: 'error' }, error.message));
  if (error.status === 401 || error.status === 403) {
    $('key-box').open = true;
    $('status').append(' (enter an API key with the admin scope)');
  }
}

// One bar a day: the searches, the part that found nothing in red; each bar's title reads out its numbers.
function chart(days) {
  const width = 640, height = 160, gap = 2, bottom = 18;
  const most = Math.max(1, ...days.map((d) => d.searches));
  const bar = Math.min(40, Math.max(2, Math.floor(width / Math.max(1, days.length)) - gap));
  const scale = (n) => Math.round((height - bottom) * n / most);
  const figure = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title', class: 'chart' },
    svg('title', { id: 'chart-title' }, `Searches per day, most ${most}`));
  days.forEach((day, i) => {
    const x = i * (bar + gap);
    const group = svg('g', { class: 'day', 'data-day': day.day },
      svg('title', {}, `${day.day}: ${day.searches} searches, ${day.noResults} without results, ${day.clicked} clicked`),
      svg('rect', { class: 'searches', x, y: height - bottom - scale(day.searches), width: bar, height: scale(day.searches), fill: '#1f5fbf' }),
      svg('rect', { class: 'no-results', x, y: height - bottom - scale(day.noResults), width: bar, height: scale(day.noResults), fill: '#c0392b' }));
    if (days.length <= 31) group.append(svg('text', { x: x + bar / 2, y: height - 4, 'text-anchor': 'middle', 'font-size': 10 }, day.day.slice(8)));
    figure.append(group);
  });
  return el('div', {}, figure, el('figcaption', {}, 'Blue: searches; red: of those, searches that found nothing.'));
}

function table(title, id, queries) {
  const section = el('section', { id });
  section.append(el('h2', {}, title));
  if (queries.length === 0) {
    section.append(el('p', {}, 'None in this window.'));
    return section;
  }
  const rows = queries.map((q) => el('tr', {},
    el('td', {}, q.query), el('td', { class: 'num' }, q.searches), el('td', { class: 'num' }, q.noResults),
    el('td', { class: 'num' }, el('meter', { min: 0, max: 1, value: q.clickThroughRate, 'aria-label': 'click-through' }), ' ', percent(q.clickThroughRate)),
    el('td', { class: 'num' }, position(q.meanClickPosition))));
  section.append(el('table', {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'query'), ...['searches', 'no results', 'click-through', 'mean click position'].map((h) => el('th', { scope: 'col', class: 'num' }, h)))),
    el('tbody', {}, ...rows)));
  return section;
}

async function show() {
  const name = $('collection').value;
  if (!name) return;
  const params = new URLSearchParams();
  if ($('from').value) params.set('from', $('from').value);
  if ($('to').value) params.set('to', isoDay(new Date(Date.parse($('to').value) + 86400000))); // the day itself included
  history.replaceState(null, '', `?collection=${encodeURIComponent(name)}&from=${$('from').value}&to=${$('to').value}`);
  $('status').textContent = 'Loading…';
  try {
    const report = await api(`/v1/collections/${encodeURIComponent(name)}/analytics?${params}`);
    $('status').textContent = `${report.searches} searches from ${report.from.slice(0, 10)} to ${isoDay(new Date(Date.parse(report.to) - 1))}`;
    const total = (label, value) => [el('dt', {}, label), el('dd', { 'data-total': label }, value)];
    $('totals').replaceChildren(
      ...total('searches', report.searches),
      ...total('without results', `${report.noResults} (${percent(report.searches ? report.noResults / report.searches : 0)})`),
      ...total('click-through', percent(report.clickThroughRate)),
      ...total('mean click position', position(report.meanClickPosition)),
      ...(report.withoutQueryText ? total('logged without their text', report.withoutQueryText) : []));
    $('chart').replaceChildren(chart(report.days));
    $('lists').replaceChildren(
      table('Top queries', 'top-queries', report.topQueries),
      table('Queries without results', 'no-result-queries', report.noResultQueries),
      table('Queries with results but no clicks', 'no-click-queries', report.noClickQueries));
    $('report').hidden = false;
  } catch (error) {
    $('report').hidden = true;
    showError(error);
  }
}

async function start() {
  const query = new URLSearchParams(location.search);
  const today = new Date();
  $('to').value = query.get('to') || isoDay(today);
  $('from').value = query.get('from') || isoDay(new Date(today.getTime() - 29 * 86400000));
  $('save-key').addEventListener('click', () => { localStorage.setItem('semmatch-key', $('api-key').value); start(); });
  $('analytics-form').addEventListener('submit', (event) => { event.preventDefault(); show(); });
  try {
    const list = await api('/v1/collections');
    const wanted = query.get('collection') || 'demo';
    $('collection').replaceChildren(...list.collections.map((c) => el('option', { value: c.name }, c.name)));
    if (list.collections.some((c) => c.name === wanted)) $('collection').value = wanted;
    await show();
  } catch (error) {
    showError(error);
  }
}

start();
