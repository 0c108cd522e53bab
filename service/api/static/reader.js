/* kotae 答え — the document reader. Vanilla JS, no dependencies.
 * The URL is /documents/<doc_id>#<start>-<end>&cited=<s>-<e>,<s>-<e>: the span to show and the
 * other passages the same answer cited. Offsets count code points, as the API's do.
 * SECURITY: document text is inserted with textContent / text nodes only, never innerHTML. */
(function () {
  'use strict';

  const STRINGS = {
    ja: { back: '← 質問に戻る', date: '日付', source: 'ファイル', loading: '読み込み中…',
          untitled: '（無題）', notFound: '文書を読み込めませんでした', cited: '引用箇所へ移動',
          others: 'この回答が引用した他の箇所', none: '—' },
    en: { back: '← Back to questions', date: 'Date', source: 'File', loading: 'Loading…',
          untitled: '(untitled)', notFound: 'The document could not be loaded', cited: 'Go to the cited passage',
          others: 'other passages this answer cited', none: '—' },
  };
  const CITED_MARGIN_PX = 12; // between the header and a long cited span's first line
  let lang = 'ja';
  let doc = null;

  function t(key) { return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key; }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pickLanguage() {
    try {
      const saved = window.localStorage.getItem('kotae.lang');
      if (saved === 'ja' || saved === 'en') return saved;
    } catch (e) { /* storage unavailable */ }
    return (navigator.language || '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
  }

  function docIdFromPath() {
    const rest = window.location.pathname.replace(/^\/documents\//, '');
    return rest.split('/').map(decodeURIComponent).join('/');
  }

  /** "12-40" → [12, 40], or null. */
  function parseRange(text) {
    const m = /^(\d+)-(\d+)$/.exec(String(text || '').trim());
    if (!m) return null;
    const start = Number(m[1]);
    const end = Number(m[2]);
    return end > start ? [start, end] : null;
  }

  /** The fragment as {cited: [s, e] | null, others: [[s, e], …]}. */
  function parseFragment() {
    const parts = decodeURIComponent(window.location.hash.replace(/^#/, '')).split('&');
    const out = { cited: parseRange(parts[0]), others: [] };
    parts.slice(1).forEach(function (part) {
      if (part.startsWith('cited=')) {
        part.slice(6).split(',').forEach(function (r) {
          const range = parseRange(r);
          if (range) out.others.push(range);
        });
      }
    });
    return out;
  }

  function validRanges(value, length) {
    if (!Array.isArray(value)) return [];
    return value.filter(function (r) {
      return Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && Number.isInteger(r[1]) &&
        r[0] >= 0 && r[1] > r[0] && r[0] < length;
    });
  }

  /** Classes a code point at offset i carries: cited, other, furniture. */
  function classesAt(i, spans) {
    const names = [];
    spans.forEach(function (s) { if (i >= s.range[0] && i < s.range[1] && names.indexOf(s.name) < 0) names.push(s.name); });
    return names.sort().join(' ');
  }

  /** One paragraph (code points [start, end)) as a <p> of text nodes and <mark>/<span>s. */
  function renderParagraph(chars, start, end, spans) {
    const p = el('p');
    p.dataset.start = String(start);
    let pieceStart = start;
    let current = classesAt(start, spans);
    for (let i = start + 1; i <= end; i++) {
      const next = i < end ? classesAt(i, spans) : null;
      if (next === current) continue;
      const text = chars.slice(pieceStart, i).join('');
      if (!current) p.append(document.createTextNode(text));
      else {
        const marked = current.indexOf('cited') >= 0 || current.indexOf('other') >= 0;
        const node = el(marked ? 'mark' : 'span', current, text);
        node.dataset.start = String(pieceStart);
        p.append(node);
        if (current.indexOf('cited') >= 0) p.classList.add('has-cited');
        else if (current.indexOf('other') >= 0) p.classList.add('has-other');
      }
      pieceStart = i;
      current = next;
    }
    return p;
  }

  function render() {
    const chars = Array.from(String(doc.text == null ? '' : doc.text));
    const fragment = parseFragment();
    const spans = [];
    validRanges(doc.furniture, chars.length).forEach(function (r) { spans.push({ name: 'furniture', range: r }); });
    fragment.others.forEach(function (r) { spans.push({ name: 'other', range: r }); });
    if (fragment.cited) spans.push({ name: 'cited', range: fragment.cited });

    const body = document.getElementById('doc-text');
    const paragraphs = [];
    let lineStart = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (i === chars.length || chars[i] === '\n') {
        if (chars.slice(lineStart, i).join('').trim()) paragraphs.push(renderParagraph(chars, lineStart, i, spans));
        lineStart = i + 1;
      }
    }
    body.replaceChildren.apply(body, paragraphs);

    const summary = document.getElementById('cited-summary');
    const others = fragment.others.length;
    const first = body.querySelector('mark.cited');
    // Not the code-point offsets (meaningless to a reader): a way back to the cited span.
    summary.hidden = !first && !others;
    summary.replaceChildren();
    if (first) {
      const jump = el('button', 'jump-to-cited', t('cited'));
      jump.type = 'button';
      jump.addEventListener('click', function () { showCited(body); });
      summary.append(jump);
    }
    if (others) summary.append(document.createTextNode((first ? ' · ' : '') + t('others') + ': ' + others));

    if (first) {
      first.setAttribute('tabindex', '-1');
      first.id = 'cited';
      window.requestAnimationFrame(function () { showCited(body); });
    }
  }

  /** Scroll the cited span into the room below the sticky header: centred if it fits, else
   *  its first line just under the header (centring a long span hid that line). */
  function showCited(body) {
    const marks = body.querySelectorAll('mark.cited');
    if (!marks.length) return;
    const header = document.querySelector('.reader-header').getBoundingClientRect().bottom;
    const top = marks[0].getBoundingClientRect().top;
    const height = marks[marks.length - 1].getBoundingClientRect().bottom - top;
    const room = window.innerHeight - header;
    window.scrollBy(0, top - header - Math.max(CITED_MARGIN_PX, (room - height) / 2));
    marks[0].focus({ preventScroll: true });
  }

  async function load() {
    const status = document.getElementById('reader-status');
    status.textContent = t('loading');
    const id = docIdFromPath();
    const url = '/api/documents/' + id.split('/').map(encodeURIComponent).join('/');
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' } });
      const body = await response.json().catch(function () { return null; });
      if (!response.ok || !body || typeof body !== 'object') {
        const detail = body && typeof body.detail === 'string' ? ': ' + body.detail : '';
        throw new Error(t('notFound') + detail + ' (HTTP ' + response.status + ')');
      }
      doc = body;
      document.getElementById('doc-title').textContent = doc.title || t('untitled');
      document.title = (doc.title || id) + ' — kotae';
      document.getElementById('doc-date').textContent = doc.date || t('none');
      document.getElementById('doc-source').textContent = doc.doc_id || id;
      status.textContent = '';
      render();
    } catch (err) {
      document.getElementById('doc-title').textContent = t('notFound');
      document.getElementById('doc-source').textContent = id;
      // No empty date row and no empty text box under the error.
      document.getElementById('doc-date').parentElement.hidden = true;
      document.getElementById('doc-text').hidden = true;
      status.textContent = err && err.message ? err.message : t('notFound');
    } finally {
      document.getElementById('reader').setAttribute('aria-busy', 'false');
    }
  }

  function init() {
    lang = pickLanguage();
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.dataset.i18n); });
    window.addEventListener('hashchange', function () { if (doc) render(); });
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
