/* kotae 答え — chat page. Vanilla JS, no dependencies.
 * SECURITY: every piece of server or user data is inserted with textContent /
 * createTextNode (or setAttribute). Never use innerHTML with data here. */
(function () {
  'use strict';

  const LANG_KEY = 'kotae.lang';

  const STRINGS = {
    ja: {
      subtitle: '文書コレクションから、出典つきで答えます。',
      emptyHint: '文書について質問してください。回答は原文からそのまま引用され、[1] などの番号を押すと出典の箇所を確認できます。',
      questionLabel: '質問',
      placeholder: '質問を入力…（Enter で送信、Shift+Enter で改行）',
      send: '送信',
      thinking: '考えています…',
      you: 'あなた',
      sources: '出典',
      closest: '最も近い箇所（答えではありません。ご自身でご確認ください）',
      fullDocument: '全文を表示',
      errorPrefix: 'エラー',
      networkError: 'サーバーに接続できませんでした。',
      badResponse: 'サーバーの応答を読み取れませんでした。',
      took: '回答時間',
      close: '閉じる',
      loading: '読み込み中…',
      untitled: '（無題）',
      modeGenerative: 'LLM が文書から書いた回答（引用は検査済み）',
      modeExtractive: '文書からそのまま引用した回答',
      warning: '注意',
    },
    en: {
      subtitle: 'Answers from your documents, with sources.',
      emptyHint: 'Ask a question about the documents. Answers quote the source text verbatim; tap a marker like [1] to see where it came from.',
      questionLabel: 'Question',
      placeholder: 'Ask a question… (Enter to send, Shift+Enter for a new line)',
      send: 'Send',
      thinking: 'Thinking…',
      you: 'You',
      sources: 'Sources',
      closest: 'Closest passages (not an answer: judge for yourself)',
      fullDocument: 'Full document',
      errorPrefix: 'Error',
      networkError: 'Could not reach the server.',
      badResponse: 'The server response could not be read.',
      took: 'Answered in',
      close: 'Close',
      loading: 'Loading…',
      untitled: '(untitled)',
      modeGenerative: 'Written by the LLM from the documents (citations checked)',
      modeExtractive: 'Quoted verbatim from the documents',
      warning: 'Note',
    },
  };

  let lang = initialLanguage();
  let busy = false;
  let llmConfigured = false; // from /readyz: stream answers only when an LLM writes them
  let docRequestId = 0;
  let docReturnFocus = null;

  const ui = {};

  /* ---------- small DOM helpers ---------- */

  function t(key) {
    return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
  }

  function makeEl(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** An element whose text is a UI label that follows the language toggle. */
  function makeLabel(tag, className, key) {
    const node = makeEl(tag, className, t(key));
    node.dataset.i18n = key;
    return node;
  }

  function scrollToNewest() {
    ui.conversation.scrollTop = ui.conversation.scrollHeight;
  }

  function hasFinePointer() {
    return window.matchMedia && window.matchMedia('(pointer: fine)').matches;
  }

  /* ---------- language ---------- */

  function initialLanguage() {
    try {
      const saved = window.localStorage.getItem(LANG_KEY);
      if (saved === 'ja' || saved === 'en') return saved;
    } catch (e) { /* storage unavailable */ }
    const nav = (navigator.language || '').toLowerCase();
    return nav.startsWith('ja') ? 'ja' : 'en';
  }

  function setLanguage(next) {
    if (!STRINGS[next]) return;
    lang = next;
    try { window.localStorage.setItem(LANG_KEY, next); } catch (e) { /* ignore */ }
    applyLanguage();
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (node) {
      node.textContent = t(node.dataset.i18n);
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (node) {
      node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
    });
    document.querySelectorAll('[data-i18n-aria-label]').forEach(function (node) {
      node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
    });
    document.querySelectorAll('.lang-button').forEach(function (btn) {
      btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang));
    });
  }

  /* ---------- API ---------- */

  class ApiError extends Error {
    constructor(message, status, i18nKey) {
      super(message);
      this.status = status || 0;
      this.i18nKey = i18nKey || null;
    }
  }

  function describeDetail(detail) {
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map(function (item) {
        if (!item || typeof item !== 'object') return String(item);
        const loc = Array.isArray(item.loc) ? item.loc.filter(function (p) { return p !== 'body'; }).join('.') : '';
        return (loc ? loc + ': ' : '') + (item.msg || JSON.stringify(item));
      }).join('; ');
    }
    if (detail && typeof detail === 'object') return JSON.stringify(detail);
    return '';
  }

  async function fetchOrFail(url, options) {
    try {
      return await fetch(url, options);
    } catch (e) {
      throw new ApiError('', 0, 'networkError');
    }
  }

  function apiError(response, raw, body) {
    const detail = body && typeof body === 'object' && 'detail' in body ? describeDetail(body.detail) : '';
    const fallback = (raw && !body ? raw.slice(0, 300) : '') || response.statusText || 'Request failed';
    return new ApiError(detail || fallback, response.status);
  }

  async function requestJSON(url, options) {
    const response = await fetchOrFail(url, Object.assign({ headers: { Accept: 'application/json' } }, options));
    const raw = await response.text();
    let body = null;
    try { body = raw ? JSON.parse(raw) : null; } catch (e) { body = null; }
    if (!response.ok) throw apiError(response, raw, body);
    if (body === null || typeof body !== 'object') throw new ApiError('', response.status, 'badResponse');
    return body;
  }

  /** One Server-Sent Event ("event: name" and "data: json" lines) as {name, data}, or null. */
  function parseEvent(raw) {
    let name = 'message';
    const data = [];
    raw.split('\n').forEach(function (line) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    });
    if (!data.length) return null;
    try { return { name: name, data: JSON.parse(data.join('\n')) }; } catch (e) { return null; }
  }

  /** Ask over /api/ask/stream: citations, then the answer as it is written, then the checked
   *  answer, which replaces the streamed text (markers the check removed disappear). */
  async function askStreaming(question, thinking) {
    const response = await fetchOrFail('/api/ask/stream', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ question: question }),
    });
    if (!response.ok || !response.body) {
      const raw = await response.text();
      let body = null;
      try { body = raw ? JSON.parse(raw) : null; } catch (e) { body = null; }
      throw apiError(response, raw, body);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let live = null;
    let final = null;
    try {
      for (;;) {
        const chunk = await reader.read();
        buffer += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (!event || !event.data || typeof event.data !== 'object') continue;
          if (event.name === 'citations' && !live) {
            thinking.remove();
            live = startLiveAnswer(event.data);
          } else if (event.name === 'token' && live) {
            live.textEl.append(document.createTextNode(String(event.data.text == null ? '' : event.data.text)));
            scrollToNewest();
          } else if (event.name === 'done') {
            final = event.data;
          } else if (event.name === 'error') {
            throw new ApiError(describeDetail(event.data.detail), Number(event.data.status) || 502);
          }
        }
        if (chunk.done) break;
      }
      if (!final) throw new ApiError('', response.status, 'badResponse');
    } catch (err) {
      if (live) live.block.remove();
      throw err instanceof ApiError ? err : new ApiError('', 0, 'networkError');
    }
    thinking.remove();
    const block = buildAnswer(final);
    if (live) live.block.replaceWith(block);
    else ui.conversation.append(block);
    scrollToNewest();
  }

  function detectLlm() {
    fetch('/readyz', { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { llmConfigured = !!(body && body.llm && body.llm.configured === true); })
      .catch(function () { llmConfigured = false; });
  }

  function askQuestion(question) {
    return requestJSON('/api/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ question: question }),
    });
  }

  function documentUrl(docId) {
    return '/api/documents/' + String(docId).split('/').map(encodeURIComponent).join('/');
  }

  /* ---------- conversation ---------- */

  function removeEmptyHint() {
    const hint = ui.conversation.querySelector('.empty-hint');
    if (hint) hint.remove();
  }

  function appendUserMessage(question) {
    const block = makeEl('div', 'message user');
    block.append(makeLabel('div', 'message-label', 'you'), makeEl('div', 'user-text', question));
    ui.conversation.append(block);
    scrollToNewest();
  }

  function appendThinking() {
    const block = makeEl('div', 'message thinking');
    block.setAttribute('role', 'status');
    const dots = makeEl('span', 'dots');
    dots.setAttribute('aria-hidden', 'true');
    dots.append(makeEl('span', 'dot'), makeEl('span', 'dot'), makeEl('span', 'dot'));
    block.append(dots, makeLabel('span', 'thinking-text', 'thinking'));
    ui.conversation.append(block);
    scrollToNewest();
    return block;
  }

  function appendError(err) {
    const block = makeEl('div', 'message error');
    block.setAttribute('role', 'alert');
    const text = makeEl('p', 'error-text');
    text.append(makeLabel('strong', 'error-prefix', 'errorPrefix'), document.createTextNode(': '));
    if (err && err.i18nKey) text.append(makeLabel('span', 'error-detail', err.i18nKey));
    else text.append(makeEl('span', 'error-detail', (err && err.message) || 'Unknown error'));
    if (err && err.status) text.append(makeEl('span', 'error-status', ' (HTTP ' + err.status + ')'));
    block.append(text);
    ui.conversation.append(block);
    scrollToNewest();
  }

  function appendAnswer(data) {
    ui.conversation.append(buildAnswer(data));
    scrollToNewest();
  }

  /** A block for the answer being streamed: its text grows as tokens arrive. */
  function startLiveAnswer(data) {
    const block = makeEl('article', 'message answer streaming');
    const textEl = makeEl('div', 'answer-text');
    block.append(textEl);
    appendMode(block, data.mode);
    ui.conversation.append(block);
    scrollToNewest();
    return { block: block, textEl: textEl };
  }

  function appendMode(block, mode) {
    if (!llmConfigured && mode !== 'generative') return; // without an LLM the page is as before
    if (mode !== 'generative' && mode !== 'extractive') return;
    const label = makeLabel('p', 'took answer-mode', mode === 'generative' ? 'modeGenerative' : 'modeExtractive');
    label.dataset.mode = mode;
    block.append(label);
  }

  function appendWarnings(block, warnings) {
    if (!Array.isArray(warnings) || !warnings.length) return;
    const list = makeEl('ul', 'took answer-warnings');
    warnings.forEach(function (w) {
      const item = makeEl('li');
      item.append(makeLabel('strong', '', 'warning'), document.createTextNode(': ' + String(w)));
      list.append(item);
    });
    block.append(list);
  }

  function buildAnswer(data) {
    const citations = Array.isArray(data.citations) ? data.citations : [];
    const byN = new Map();
    citations.forEach(function (c) { if (c && !byN.has(Number(c.n))) byN.set(Number(c.n), c); });

    const block = makeEl('article', 'message answer');
    const textEl = makeEl('div', 'answer-text');
    const sentenceFor = renderAnswerText(block, textEl, String(data.answer == null ? '' : data.answer), byN);
    block.append(textEl);
    if (!byN.size) block.classList.add('no-citations');
    const notFound = data.found === false;
    if (notFound) block.classList.add('not-found');

    if (byN.size) block.append(renderSources(block, Array.from(byN.values()), sentenceFor, notFound));

    if (typeof data.took_ms === 'number' && isFinite(data.took_ms)) {
      const took = makeEl('p', 'took');
      took.append(makeLabel('span', '', 'took'), document.createTextNode(' ' + Math.round(data.took_ms) + ' ms'));
      block.append(took);
    }
    appendMode(block, data.mode);
    appendWarnings(block, data.warnings);
    return block;
  }

  /** The sentence a marker refers to: the last non-empty line of the text before it. */
  function lastSentenceOf(chunk) {
    const trimmed = chunk.trim();
    const lines = trimmed.split('\n');
    return lines[lines.length - 1].trim();
  }

  /** Render answer text with [n] markers turned into buttons. Returns Map n -> first sentence. */
  function renderAnswerText(block, container, answer, byN) {
    const sentenceFor = new Map();
    const markerPattern = /\[(\d+)\]/g;
    let last = 0;
    let sentence = '';
    let match;
    while ((match = markerPattern.exec(answer)) !== null) {
      const chunk = answer.slice(last, match.index);
      if (chunk) container.append(document.createTextNode(chunk));
      const candidate = lastSentenceOf(chunk);
      if (candidate) sentence = candidate;
      const n = Number(match[1]);
      const citation = byN.get(n);
      if (citation) {
        container.append(makeCiteButton(block, n, citation, sentence));
        if (!sentenceFor.has(n)) sentenceFor.set(n, sentence);
      } else {
        container.append(document.createTextNode(match[0]));
      }
      last = markerPattern.lastIndex;
    }
    const rest = answer.slice(last);
    if (rest) container.append(document.createTextNode(rest));
    return sentenceFor;
  }

  function makeCiteButton(block, n, citation, sentence) {
    const btn = makeEl('button', 'cite', '[' + n + ']');
    btn.type = 'button';
    btn.dataset.n = String(n);
    btn.setAttribute('aria-pressed', 'false');
    btn.title = citation.title || citation.doc_id || '';
    btn.addEventListener('click', function () { revealPassage(block, citation, sentence); });
    return btn;
  }

  function renderSources(block, citations, sentenceFor, closest) {
    const wrap = makeEl('div', closest ? 'sources closest' : 'sources');
    wrap.append(makeLabel('h3', 'sources-heading', closest ? 'closest' : 'sources'));
    const list = makeEl('ul', 'sources-list');
    citations.forEach(function (c) {
      const n = Number(c.n);
      const chip = makeEl('button', 'source-chip');
      chip.type = 'button';
      chip.dataset.n = String(n);
      chip.setAttribute('aria-pressed', 'false');
      chip.append(makeEl('span', 'chip-n', '[' + n + ']'), makeEl('span', 'chip-title', c.title || c.doc_id || t('untitled')));
      if (c.date) chip.append(makeEl('span', 'chip-date', c.date));
      chip.addEventListener('click', function () { revealPassage(block, c, sentenceFor.get(n) || ''); });
      const item = makeEl('li');
      item.append(chip);
      list.append(item);
    });
    wrap.append(list);
    return wrap;
  }

  /* ---------- highlighting ---------- */

  /** Find needle in haystack; exact first, then ignoring whitespace. Returns [start, end) or null. */
  function findLoosely(haystack, needle) {
    if (!needle) return null;
    const exact = haystack.indexOf(needle);
    if (exact >= 0) return [exact, exact + needle.length];
    const compactNeedle = needle.replace(/\s+/g, '');
    if (!compactNeedle) return null;
    const positions = [];
    let compact = '';
    for (let i = 0; i < haystack.length; i++) {
      if (!/\s/.test(haystack[i])) { compact += haystack[i]; positions.push(i); }
    }
    const at = compact.indexOf(compactNeedle);
    if (at < 0) return null;
    return [positions[at], positions[at + compactNeedle.length - 1] + 1];
  }

  /** Locate the answer sentence inside the passage: whole line, else its last sentence. */
  function findSentence(passage, sentence) {
    const whole = findLoosely(passage, sentence);
    if (whole) return whole;
    const pieces = sentence.match(/[^。！？!?．]+[。！？!?．]*/g) || [];
    for (let i = pieces.length - 1; i >= 0; i--) {
      const piece = pieces[i].trim();
      if (piece.length >= 4) {
        const found = findLoosely(passage, piece);
        if (found) return found;
      }
    }
    return null;
  }

  /** Fill container with text, wrapping [start, end) in <mark>, using text nodes only. */
  function fillHighlighted(container, text, range) {
    container.replaceChildren();
    if (!range || range[1] <= range[0]) {
      container.append(document.createTextNode(text));
      return null;
    }
    const mark = makeEl('mark', '', text.slice(range[0], range[1]));
    container.append(document.createTextNode(text.slice(0, range[0])), mark, document.createTextNode(text.slice(range[1])));
    return mark;
  }

  /* ---------- passage panel ---------- */

  function revealPassage(block, citation, sentence) {
    let panel = block.querySelector('.passage');
    if (!panel) {
      panel = makeEl('section', 'passage');
      const took = block.querySelector('.took');
      block.insertBefore(panel, took);
    }
    const n = Number(citation.n);
    block.querySelectorAll('.cite, .source-chip').forEach(function (btn) {
      const active = Number(btn.dataset.n) === n;
      btn.classList.toggle('active', active);
      btn.setAttribute('aria-pressed', String(active));
    });

    const head = makeEl('div', 'passage-head');
    const titleLine = makeEl('div', 'passage-title-line');
    titleLine.append(makeEl('span', 'passage-n', '[' + n + ']'), makeEl('strong', 'passage-title', citation.title || t('untitled')));
    const close = makeEl('button', 'close-button', '×');
    close.type = 'button';
    close.dataset.i18nAriaLabel = 'close';
    close.setAttribute('aria-label', t('close'));
    close.addEventListener('click', function () { closePassage(block); });
    head.append(titleLine, close);

    const meta = makeEl('p', 'passage-meta');
    if (citation.date) meta.append(makeEl('span', 'passage-date', citation.date), document.createTextNode(' · '));
    meta.append(makeEl('span', 'doc-id-label', 'doc_id: '), makeEl('code', 'doc-id', citation.doc_id));

    const passageText = String(citation.text == null ? '' : citation.text);
    const body = makeEl('div', 'passage-text');
    fillHighlighted(body, passageText, findSentence(passageText, sentence || ''));

    const link = makeLabel('a', 'full-doc', 'fullDocument');
    link.href = documentUrl(citation.doc_id);
    link.addEventListener('click', function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button === 1) return;
      event.preventDefault();
      openDocument(citation, link);
    });

    panel.replaceChildren(head, meta, body, link);
    panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function closePassage(block) {
    const panel = block.querySelector('.passage');
    if (panel) panel.remove();
    block.querySelectorAll('.cite, .source-chip').forEach(function (btn) {
      btn.classList.remove('active');
      btn.setAttribute('aria-pressed', 'false');
    });
  }

  /* ---------- full document view ---------- */

  /** Convert Python-style code point offsets to UTF-16 indices (differs only with astral chars). */
  function codePointToIndex(text, cp) {
    let index = 0;
    for (let count = 0; count < cp && index < text.length; count++) {
      const code = text.charCodeAt(index);
      index += (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) ? 2 : 1;
    }
    return index;
  }

  function citedRange(text, citation) {
    const start = Math.max(0, Number(citation.start) || 0);
    const end = Math.max(start, Number(citation.end) || 0);
    const candidates = [[start, end], [codePointToIndex(text, start), codePointToIndex(text, end)]];
    const passage = citation.text ? String(citation.text) : '';
    for (const range of candidates) {
      if (passage && text.slice(range[0], range[1]) === passage) return range;
    }
    if (passage) {
      const found = text.indexOf(passage);
      if (found >= 0) return [found, found + passage.length];
    }
    return [Math.min(start, text.length), Math.min(end, text.length)];
  }

  function showDocView(citation) {
    ui.docTitle.textContent = citation.title || t('untitled');
    ui.docDate.textContent = citation.date || '';
    ui.docId.textContent = citation.doc_id || '';
    ui.docBody.replaceChildren(makeLabel('p', 'doc-loading', 'loading'));
    ui.docView.hidden = false;
    document.body.classList.add('modal-open');
    ui.docClose.focus();
  }

  async function openDocument(citation, trigger) {
    const requestId = ++docRequestId;
    docReturnFocus = trigger || null;
    showDocView(citation);
    try {
      const doc = await requestJSON(documentUrl(citation.doc_id));
      if (requestId !== docRequestId || ui.docView.hidden) return;
      const text = String(doc.text == null ? '' : doc.text);
      ui.docTitle.textContent = doc.title || citation.title || t('untitled');
      ui.docDate.textContent = doc.date || citation.date || '';
      ui.docId.textContent = doc.doc_id || citation.doc_id || '';
      const docText = makeEl('div', 'doc-text');
      ui.docBody.replaceChildren(docText);
      const mark = fillHighlighted(docText, text, citedRange(text, citation));
      if (mark) {
        window.requestAnimationFrame(function () { mark.scrollIntoView({ block: 'center' }); });
      }
    } catch (err) {
      if (requestId !== docRequestId) return;
      const message = makeEl('p', 'error-text');
      message.append(makeLabel('strong', 'error-prefix', 'errorPrefix'), document.createTextNode(': '));
      if (err.i18nKey) message.append(makeLabel('span', 'error-detail', err.i18nKey));
      else message.append(makeEl('span', 'error-detail', err.message || 'Unknown error'));
      if (err.status) message.append(makeEl('span', 'error-status', ' (HTTP ' + err.status + ')'));
      ui.docBody.replaceChildren(message);
    }
  }

  function closeDocument() {
    if (ui.docView.hidden) return;
    docRequestId++;
    ui.docView.hidden = true;
    document.body.classList.remove('modal-open');
    if (docReturnFocus && document.contains(docReturnFocus)) docReturnFocus.focus();
    docReturnFocus = null;
  }

  /* ---------- input ---------- */

  function setBusy(value) {
    busy = value;
    ui.send.disabled = value;
    ui.conversation.setAttribute('aria-busy', String(value));
  }

  async function submitQuestion() {
    if (busy) return;
    const question = ui.question.value.trim();
    if (!question) { ui.question.focus(); return; }
    removeEmptyHint();
    appendUserMessage(question);
    ui.question.value = '';
    setBusy(true);
    const thinking = appendThinking();
    try {
      if (llmConfigured) {
        await askStreaming(question, thinking);
      } else {
        const data = await askQuestion(question);
        thinking.remove();
        appendAnswer(data);
      }
    } catch (err) {
      thinking.remove();
      appendError(err);
    } finally {
      setBusy(false);
      if (hasFinePointer()) ui.question.focus();
    }
  }

  function onQuestionKeydown(event) {
    if (event.key !== 'Enter' || event.shiftKey) return;
    // Enter that confirms an IME (kana-kanji) conversion must not send.
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submitQuestion();
  }

  /* ---------- start ---------- */

  function init() {
    ui.conversation = document.getElementById('conversation');
    ui.form = document.getElementById('ask-form');
    ui.question = document.getElementById('question');
    ui.send = document.getElementById('send');
    ui.docView = document.getElementById('doc-view');
    ui.docTitle = document.getElementById('doc-title');
    ui.docDate = document.getElementById('doc-date');
    ui.docId = document.getElementById('doc-id');
    ui.docBody = document.getElementById('doc-body');
    ui.docClose = document.getElementById('doc-close');

    ui.form.addEventListener('submit', function (event) { event.preventDefault(); submitQuestion(); });
    ui.question.addEventListener('keydown', onQuestionKeydown);
    document.querySelectorAll('.lang-button').forEach(function (btn) {
      btn.addEventListener('click', function () { setLanguage(btn.dataset.lang); });
    });
    ui.docClose.addEventListener('click', closeDocument);
    ui.docView.addEventListener('click', function (event) { if (event.target === ui.docView) closeDocument(); });
    document.addEventListener('keydown', function (event) { if (event.key === 'Escape') closeDocument(); });

    applyLanguage();
    detectLlm();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
