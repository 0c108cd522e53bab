/* kotae 答え — chat page. Vanilla JS, no dependencies.
 * SECURITY: every piece of server or user data is inserted with textContent /
 * createTextNode (or setAttribute). Never use innerHTML with data here. */
(function () {
  'use strict';

  const LANG_KEY = 'kotae.lang';
  const ANSWER_MARGIN_PX = 12; // room above a question scrolled to the top of the view
  const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]/;

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
      shortAnswer: '答え',
      tooLong: '質問が長すぎます（2000 文字まで）。短くしてから送信してください。',
      noWords: '質問の言葉を入力してください（記号だけでは検索できません）。',
      alsoRetrieved: '関連する箇所（回答には引用していません）',
      filtersActive: '絞り込みが有効です。絞り込みを外すと見つかるかもしれません。',
      newChat: '新しい会話',
      newChatTitle: '会話を消去し、前の質問を踏まえずに質問します',
      citeLabel: '出典',
      requestRejected: 'サーバーがこの質問を受け付けませんでした。',
      tooLarge: '送信した内容が大きすぎます。',
      tooMany: '質問が集中しています。少し待ってからもう一度送信してください。',
      notReady: 'サーバーの準備ができていません。少し待ってからもう一度送信してください。',
      serverError: 'サーバーでエラーが起きました。',
      requestFailed: '要求を処理できませんでした。',
      errorDetail: '詳細',
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
      shortAnswer: 'Answer',
      tooLong: 'The question is too long (2000 characters at most). Shorten it and send again.',
      noWords: 'Type a question in words (punctuation alone cannot be searched).',
      alsoRetrieved: 'Related passages (not quoted in the answer)',
      filtersActive: 'Filters are on: removing them may find an answer.',
      newChat: 'New chat',
      newChatTitle: 'Clear the conversation; the next question is read on its own',
      citeLabel: 'Source',
      requestRejected: 'The server did not accept this question.',
      tooLarge: 'What was sent is too large.',
      tooMany: 'Too many questions at once: wait a moment and send it again.',
      notReady: 'The server is not ready yet: wait a moment and send it again.',
      serverError: 'The server ran into an error.',
      requestFailed: 'The request failed.',
      errorDetail: 'Details',
    },
  };

  let lang = initialLanguage();
  let busy = false;
  let llmConfigured = false; // from /readyz: stream answers only when an LLM writes them

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

  /** Mark Japanese text as such, so an English page still has it read and shaped as Japanese. */
  function tagLanguage(node, text) {
    if (JAPANESE.test(text)) node.lang = 'ja';
    return node;
  }

  function scrollToNewest() {
    ui.conversation.scrollTop = ui.conversation.scrollHeight;
  }

  /** Follow a new answer down only until its top, or the question above it, would leave the
   *  view: on a phone the end of a long answer is all that scrolling to the bottom shows. */
  function scrollToAnswer(block) {
    const view = ui.conversation.getBoundingClientRect();
    const question = block.previousElementSibling;
    let top = block.getBoundingClientRect().top;
    if (question && question.classList.contains('user')) {
      const asked = question.getBoundingClientRect().top;
      if (top - asked < view.height / 3) top = asked; // a long question: the answer's top will do
    }
    ui.conversation.scrollTop += top - view.top - ANSWER_MARGIN_PX;
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
    document.querySelectorAll('[data-i18n-title]').forEach(function (node) {
      node.setAttribute('title', t(node.dataset.i18nTitle));
    });
    document.querySelectorAll('[data-i18n-aria-label]').forEach(function (node) {
      node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
    });
    document.querySelectorAll('.lang-button').forEach(function (btn) {
      btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang));
    });
    if (ui.buildStatus) renderBuildStatus();
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
      body: JSON.stringify(requestBody(question)),
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
            scrollToAnswer(live.block);
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
    scrollToAnswer(block);
  }

  function askQuestion(question) {
    return requestJSON('/api/ask', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(requestBody(question)),
    });
  }

  /* ---------- conversation ---------- */

  function removeEmptyHint() {
    const hint = ui.conversation.querySelector('.empty-hint');
    if (hint) hint.remove();
  }

  function appendUserMessage(question) {
    const block = makeEl('div', 'message user');
    block.append(makeLabel('div', 'message-label', 'you'), tagLanguage(makeEl('div', 'user-text', question), question));
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

  /** What went wrong, as an i18n key: the page says it in its own language; the server's
   *  words (English) are shown under it only as the detail. */
  function errorKey(err) {
    if (err && err.i18nKey) return err.i18nKey;
    const status = (err && err.status) || 0;
    if (status === 413) return 'tooLarge';
    if (status === 429) return 'tooMany';
    if (status === 503) return 'notReady';
    if (status >= 500) return 'serverError';
    if (status >= 400) return 'requestRejected';
    return 'requestFailed';
  }

  function appendError(err) {
    const block = makeEl('div', 'message error');
    block.setAttribute('role', 'alert');
    const text = makeEl('p', 'error-text');
    text.append(makeLabel('strong', 'error-prefix', 'errorPrefix'), document.createTextNode(': '),
      makeLabel('span', 'error-message', errorKey(err)));
    if (err && err.status) text.append(makeEl('span', 'error-status', ' (HTTP ' + err.status + ')'));
    block.append(text);
    const detail = String((err && err.message) || '');
    if (detail) {
      const line = makeEl('p', 'error-detail');
      const words = makeEl('span', '', detail);
      words.lang = JAPANESE.test(detail) ? 'ja' : 'en';
      line.append(makeLabel('span', '', 'errorDetail'), document.createTextNode(': '), words);
      block.append(line);
    }
    ui.conversation.append(block);
    scrollToNewest();
  }

  function appendAnswer(data) {
    const block = buildAnswer(data);
    ui.conversation.append(block);
    scrollToAnswer(block);
  }

  /** A block for the answer being streamed: its text grows as tokens arrive. */
  function startLiveAnswer(data) {
    const block = makeEl('article', 'message answer streaming');
    const textEl = makeEl('div', 'answer-text');
    block.append(textEl);
    appendMode(block, data.mode);
    ui.conversation.append(block);
    scrollToAnswer(block);
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
    block.kotaeCitations = citations; // the reader marks the other passages this answer cited
    appendUnderstoodAs(block, data.understood_as);
    const textEl = tagLanguage(makeEl('div', 'answer-text'), String(data.answer == null ? '' : data.answer));
    const sentenceFor = renderAnswerText(block, textEl, String(data.answer == null ? '' : data.answer), byN);
    block.append(textEl);
    appendShortAnswer(block, textEl, data, byN);
    if (!byN.size) block.classList.add('no-citations');
    const notFound = data.found === false;
    if (notFound) block.classList.add('not-found');

    if (byN.size) appendSources(block, Array.from(byN.values()), sentenceFor, notFound);
    if (notFound && filtersActive()) block.append(makeLabel('p', 'filters-hint', 'filtersActive'));

    if (typeof data.took_ms === 'number' && isFinite(data.took_ms)) {
      const took = makeEl('p', 'took');
      took.append(makeLabel('span', '', 'took'), document.createTextNode(' ' + Math.round(data.took_ms) + ' ms'));
      block.append(took);
    }
    appendMode(block, data.mode);
    appendWarnings(block, data.warnings);
    return block;
  }

  /* ---------- short answer (the fact itself, inside the first quote) ---------- */

  /** Show data.short_answer above the quotes and mark it inside its sentence; both open [n]. */
  function appendShortAnswer(block, textEl, data, byN) {
    const short = data.short_answer;
    const quote = Array.isArray(data.quotes) ? data.quotes[0] : null;
    const citation = short ? byN.get(Number(short.n)) : null;
    if (!short || !quote || !citation || Number(quote.n) !== Number(short.n)) return;
    const offset = short.start - quote.start;
    if (offset < 0 || short.end > quote.end || String(quote.text).slice(offset, offset + short.text.length) !== short.text) return;
    const open = function () { revealPassage(block, citation, String(quote.text)); };
    const box = makeEl('p', 'short-answer');
    const btn = makeEl('button', 'short-answer-text', short.text);
    btn.type = 'button';
    btn.title = citation.title || citation.doc_id || '';
    btn.addEventListener('click', open);
    box.append(makeLabel('span', 'short-answer-label', 'shortAnswer'), btn, makeEl('span', 'chip-n', '[' + short.n + ']'));
    block.insertBefore(box, textEl);
    const mark = markInText(textEl, String(quote.text), offset, short.text.length);
    if (mark) mark.addEventListener('click', open);
  }

  /** Wrap [offset, offset+length) of the first text node holding sentence in <mark>. */
  function markInText(container, sentence, offset, length) {
    const nodes = Array.from(container.childNodes).filter(function (n) { return n.nodeType === Node.TEXT_NODE; });
    for (const node of nodes) {
      const at = node.data.indexOf(sentence);
      if (at < 0) continue;
      const middle = node.splitText(at + offset);
      middle.splitText(length);
      const mark = makeEl('mark', 'short-mark', middle.data);
      middle.replaceWith(mark);
      return mark;
    }
    return null;
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
    btn.setAttribute('aria-label', t('citeLabel') + ' ' + n + ': ' + btn.title);
    btn.addEventListener('click', function () { revealPassage(block, citation, sentence); });
    return btn;
  }

  /** The passages the answer quotes under "Sources", in answer order; the others retrieved
   *  under their own heading, so a chip never looks like a source the answer did not use. */
  function appendSources(block, citations, sentenceFor, notFound) {
    if (notFound) { block.append(renderSources(block, citations, sentenceFor, 'closest')); return; }
    const cited = Array.from(sentenceFor.keys());
    const byN = new Map(citations.map(function (c) { return [Number(c.n), c]; }));
    const quoted = cited.map(function (n) { return byN.get(n); });
    const others = citations.filter(function (c) { return !sentenceFor.has(Number(c.n)); });
    if (quoted.length) block.append(renderSources(block, quoted, sentenceFor, 'sources'));
    if (others.length) block.append(renderSources(block, others, sentenceFor, 'alsoRetrieved'));
  }

  function renderSources(block, citations, sentenceFor, heading) {
    const classes = { sources: 'sources', closest: 'sources closest', alsoRetrieved: 'sources also-retrieved' };
    const wrap = makeEl('div', classes[heading]);
    wrap.append(makeLabel('h3', 'sources-heading', heading));
    const list = makeEl('ul', 'sources-list');
    citations.forEach(function (c) {
      const n = Number(c.n);
      const chip = makeEl('button', 'source-chip');
      chip.type = 'button';
      chip.dataset.n = String(n);
      chip.setAttribute('aria-pressed', 'false');
      const title = String(c.title || c.doc_id || t('untitled'));
      chip.append(makeEl('span', 'chip-n', '[' + n + ']'), tagLanguage(makeEl('span', 'chip-title', title), title));
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
    const opener = document.activeElement;
    close.addEventListener('click', function () {
      closePassage(block);
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
    });
    head.append(titleLine, close);

    const meta = makeEl('p', 'passage-meta');
    if (citation.date) meta.append(makeEl('span', 'passage-date', citation.date), document.createTextNode(' · '));
    meta.append(makeEl('span', 'doc-id-label', 'doc_id: '), makeEl('code', 'doc-id', citation.doc_id));

    const passageText = String(citation.text == null ? '' : citation.text);
    const body = tagLanguage(makeEl('div', 'passage-text'), passageText);
    fillHighlighted(body, passageText, findSentence(passageText, sentence || ''));

    const link = makeLabel('a', 'full-doc', 'fullDocument');
    link.href = readerUrl(citation, block.kotaeCitations || []);
    link.target = '_blank';
    link.rel = 'noopener';

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
    const problem = questionProblem(question);
    if (problem) { showNotice(problem); ui.question.focus(); return; }
    clearNotice();
    removeEmptyHint();
    appendUserMessage(question);
    ui.question.value = '';
    setBusy(true);
    const thinking = appendThinking();
    try {
      await whenReady(thinking);
      if (llmConfigured) {
        await askStreaming(question, thinking);
      } else {
        const data = await askQuestion(question);
        thinking.remove();
        appendAnswer(data);
      }
      rememberQuestion(question);
    } catch (err) {
      thinking.remove();
      appendError(err);
    } finally {
      setBusy(false);
      if (hasFinePointer()) ui.question.focus();
    }
  }

  /** What keeps the question from being asked (an i18n key), or null. The server counts code
   *  points, as Array.from does; a question of punctuation alone has nothing to search for. */
  function questionProblem(question) {
    if (Array.from(question).length > MAX_QUESTION_CHARS) return 'tooLong';
    if (!/[\p{L}\p{N}]/u.test(question)) return 'noWords';
    return null;
  }

  function showNotice(key) {
    ui.notice.dataset.i18n = key;
    ui.notice.textContent = t(key);
    ui.notice.hidden = false;
  }

  function clearNotice() {
    ui.notice.hidden = true;
    ui.notice.textContent = '';
    delete ui.notice.dataset.i18n;
  }

  /** Forget the conversation: the next question is read on its own, not as a follow-up. */
  function newConversation() {
    askedQuestions.length = 0;
    ui.conversation.replaceChildren(makeLabel('p', 'empty-hint', 'emptyHint'));
    clearNotice();
    ui.question.focus();
  }

  function onQuestionKeydown(event) {
    if (event.key !== 'Enter' || event.shiftKey) return;
    // Enter that confirms an IME (kana-kanji) conversion must not send.
    if (event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submitQuestion();
  }

  /* ---------- follow-ups, the reader, the collection (issue 17) ---------- */

  const MAX_HISTORY = 10; // the server's bound on earlier questions
  const MAX_QUESTION_CHARS = 2000; // the server's bound on a question
  const DOC_PAGE = 50;
  const askedQuestions = []; // this conversation so far, sent as history
  const filters = { docs: new Map(), dateFrom: '', dateTo: '' }; // docs: doc_id → title
  let docOffset = 0;
  let docTotal = 0;

  Object.assign(STRINGS.ja, {
    understoodAs: '次のように解釈しました：',
    collectionToggle: '文書と期間で絞り込む',
    filtersLabel: '次の質問に適用する絞り込み',
    dateRange: '期間', dateFrom: 'から', dateTo: 'まで', documents: '文書', more: 'さらに表示',
    passages: '段落', removeFilter: '絞り込みを外す', docCount: '件の文書',
  });
  Object.assign(STRINGS.en, {
    understoodAs: 'Understood as: ',
    collectionToggle: 'Narrow by document and date',
    filtersLabel: 'Filters for the next questions',
    dateRange: 'Date range', dateFrom: 'From', dateTo: 'To', documents: 'Documents', more: 'Show more',
    passages: 'passages', removeFilter: 'Remove filter', docCount: 'documents',
  });

  /** The /api/ask body: the question, the conversation so far, and the active filters. */
  function requestBody(question) {
    const body = { question: question };
    if (askedQuestions.length) body.history = askedQuestions.slice(-MAX_HISTORY);
    if (filters.docs.size) body.doc_ids = Array.from(filters.docs.keys());
    if (filters.dateFrom) body.date_from = filters.dateFrom;
    if (filters.dateTo) body.date_to = filters.dateTo;
    return body;
  }

  function filtersActive() {
    return filters.docs.size > 0 || !!filters.dateFrom || !!filters.dateTo;
  }

  function rememberQuestion(question) {
    askedQuestions.push(question);
    if (askedQuestions.length > MAX_HISTORY) askedQuestions.shift();
  }

  function appendUnderstoodAs(block, understood) {
    if (typeof understood !== 'string' || !understood) return;
    const line = makeEl('p', 'understood-as');
    line.append(makeLabel('span', 'understood-label', 'understoodAs'), makeEl('q', 'understood-text', understood));
    block.append(line);
  }

  /** /documents/<id>#start-end&cited=… : the reader, at this passage, with the answer's others. */
  function readerUrl(citation, citations) {
    const path = '/documents/' + String(citation.doc_id).split('/').map(encodeURIComponent).join('/');
    const others = citations.filter(function (c) {
      return c.doc_id === citation.doc_id && (c.start !== citation.start || c.end !== citation.end);
    }).map(function (c) { return Number(c.start) + '-' + Number(c.end); });
    return path + '#' + Number(citation.start) + '-' + Number(citation.end) + (others.length ? '&cited=' + others.join(',') : '');
  }

  function renderChips() {
    const chips = [];
    filters.docs.forEach(function (title, id) {
      chips.push(makeChip(title || id, function () { filters.docs.delete(id); syncDocBoxes(); renderChips(); }));
    });
    if (filters.dateFrom || filters.dateTo) {
      chips.push(makeChip((filters.dateFrom || '…') + ' – ' + (filters.dateTo || '…'), function () {
        filters.dateFrom = ''; filters.dateTo = '';
        ui.dateFrom.value = ''; ui.dateTo.value = '';
        renderChips();
      }));
    }
    ui.chips.replaceChildren.apply(ui.chips, chips);
  }

  function makeChip(label, onRemove) {
    const chip = makeEl('span', 'filter-chip');
    chip.setAttribute('role', 'listitem');
    const remove = makeEl('button', 'chip-remove', '×');
    remove.type = 'button';
    remove.setAttribute('aria-label', t('removeFilter') + ': ' + label);
    remove.addEventListener('click', function () { onRemove(); ui.question.focus(); });
    chip.append(makeEl('span', 'chip-label', label), remove);
    return chip;
  }

  function syncDocBoxes() {
    ui.docList.querySelectorAll('input[type=checkbox]').forEach(function (box) {
      box.checked = filters.docs.has(box.value);
    });
  }

  function docItem(d) {
    const item = makeEl('li', 'doc-item');
    const label = makeEl('label');
    const box = makeEl('input');
    box.type = 'checkbox';
    box.value = String(d.doc_id);
    box.checked = filters.docs.has(box.value);
    box.addEventListener('change', function () {
      if (box.checked) filters.docs.set(box.value, d.title || d.doc_id);
      else filters.docs.delete(box.value);
      renderChips();
    });
    const text = makeEl('span', 'doc-item-text');
    text.append(makeEl('span', 'doc-item-title', d.title || d.doc_id));
    const meta = makeEl('span', 'doc-item-meta', [d.date || '', d.passages + ' ' + t('passages')].filter(Boolean).join(' · '));
    text.append(meta);
    label.append(box, text);
    item.append(label);
    return item;
  }

  async function loadDocuments() {
    try {
      const page = await requestJSON('/api/documents?limit=' + DOC_PAGE + '&offset=' + docOffset);
      const docs = Array.isArray(page.documents) ? page.documents : [];
      docs.forEach(function (d) { ui.docList.append(docItem(d)); });
      docOffset += docs.length;
      docTotal = Number(page.total) || docOffset;
      ui.docCount.textContent = docTotal + ' ' + t('docCount');
      ui.docMore.hidden = docOffset >= docTotal;
    } catch (err) {
      ui.docCount.textContent = t(errorKey(err));
    }
  }

  function toggleCollection() {
    const open = ui.collectionPanel.hidden;
    ui.collectionPanel.hidden = !open;
    ui.collectionToggle.setAttribute('aria-expanded', String(open));
    if (open && !docOffset) loadDocuments();
  }

  function initCollection() {
    ui.chips = document.getElementById('filter-chips');
    ui.collectionToggle = document.getElementById('collection-toggle');
    ui.collectionPanel = document.getElementById('collection-panel');
    ui.docList = document.getElementById('doc-list');
    ui.docCount = document.getElementById('doc-count');
    ui.docMore = document.getElementById('doc-more');
    ui.dateFrom = document.getElementById('date-from');
    ui.dateTo = document.getElementById('date-to');
    ui.collectionToggle.addEventListener('click', toggleCollection);
    ui.docMore.addEventListener('click', loadDocuments);
    [ui.dateFrom, ui.dateTo].forEach(function (input) {
      input.addEventListener('change', function () {
        if (ui.dateFrom.value && ui.dateTo.value && ui.dateFrom.value > ui.dateTo.value) {
          const from = ui.dateTo.value; // a reversed range matches nothing: read it as meant
          ui.dateTo.value = ui.dateFrom.value;
          ui.dateFrom.value = from;
        }
        filters.dateFrom = ui.dateFrom.value;
        filters.dateTo = ui.dateTo.value;
        renderChips();
      });
    });
  }

  /* ---------- the first build: progress, and questions kept until it is done (issue 25) ---------- */

  const POLL_MS = 1000; // while the index loads or builds
  const POLL_IDLE_MS = 5000; // while nothing moves: a failed build, an index that did not load
  let readyChecked = false; // /readyz has answered once (or failed to)
  let build = null; // /readyz's build while the index is not ready: {state, embedded, total, error}
  let waiting = null; // the question kept until the index is ready: {resolve, reject, thinking}
  let shownBuild = ''; // what the build status shows now, to redraw it only when that changes

  Object.assign(STRINGS.ja, {
    buildLoading: '索引を読み込んでいます…',
    buildChecking: '索引を確認しています…',
    buildBuilding: '索引を作成中：{total} 件中 {embedded} 件を処理済み',
    buildHint: '準備ができしだい、質問にお答えします。',
    buildFailed: '索引を作成できませんでした。',
    waitingForIndex: '索引の準備ができしだいお答えします…',
  });
  Object.assign(STRINGS.en, {
    buildLoading: 'Loading the index…',
    buildChecking: 'Checking the index…',
    buildBuilding: 'Building the index: {embedded} of {total} texts embedded',
    buildHint: 'Questions asked now are answered as soon as it is ready.',
    buildFailed: 'The index could not be built.',
    waitingForIndex: 'Will answer as soon as the index is ready…',
  });

  /** Poll /readyz until the index is served: it says whether an LLM writes the answers, and,
   *  while the first index builds, how far the build has come. */
  async function checkReady() {
    let response = null;
    let body = null;
    try {
      response = await fetch('/readyz', { headers: { Accept: 'application/json' } });
      body = await response.json();
    } catch (e) { body = null; }
    const ready = !!(response && response.ok);
    llmConfigured = ready && !!(body && body.llm && body.llm.configured === true);
    const next = !ready && body && body.build && typeof body.build === 'object' ? body.build : null;
    if (ready && build && !ui.collectionPanel.hidden && !docOffset) loadDocuments();
    build = next;
    readyChecked = true;
    renderBuildStatus();
    settleWaiting();
    if (!ready) window.setTimeout(checkReady, isBuilding() ? POLL_MS : POLL_IDLE_MS);
  }

  function isBuilding() {
    return !!build && ['loading', 'checking', 'building'].indexOf(build.state) >= 0;
  }

  /** Resolves when the question can be asked; while the index builds, the question waits. */
  function whenReady(thinking) {
    return new Promise(function (resolve, reject) {
      waiting = { resolve: resolve, reject: reject, thinking: thinking };
      settleWaiting();
    });
  }

  function settleWaiting() {
    if (!waiting || !readyChecked) return;
    const label = waiting.thinking.querySelector('.thinking-text');
    if (isBuilding()) {
      label.dataset.i18n = 'waitingForIndex';
      label.textContent = t('waitingForIndex');
      return;
    }
    label.dataset.i18n = 'thinking';
    label.textContent = t('thinking');
    const kept = waiting;
    waiting = null;
    if (build && build.state === 'failed') kept.reject(new ApiError(String(build.error || ''), 0, 'buildFailed'));
    else kept.resolve(); // ready, or not ready for a reason the answer's error will say
  }

  function buildText(b) {
    if (b.state === 'failed') return t('buildFailed');
    if (b.state === 'building') {
      return t('buildBuilding')
        .replace('{embedded}', Number(b.embedded || 0).toLocaleString(lang))
        .replace('{total}', Number(b.total || 0).toLocaleString(lang));
    }
    return t(b.state === 'checking' ? 'buildChecking' : 'buildLoading');
  }

  /** The build's state above the conversation, in the page's language: a progress bar while it
   *  runs; if it failed, that, with the server's reason as the detail. */
  function renderBuildStatus() {
    const shown = lang + JSON.stringify(build);
    if (shown === shownBuild) return; // unchanged: an alert inserted again is read out again
    shownBuild = shown;
    const box = ui.buildStatus;
    box.hidden = !build || !(isBuilding() || build.state === 'failed');
    if (box.hidden) { box.replaceChildren(); return; }
    const failed = build.state === 'failed';
    box.classList.toggle('failed', failed);
    const text = makeEl('p', 'build-text', buildText(build));
    if (failed) {
      text.setAttribute('role', 'alert');
      const detail = makeEl('p', 'build-detail', String(build.error || ''));
      detail.lang = JAPANESE.test(detail.textContent) ? 'ja' : 'en';
      box.replaceChildren(text, detail);
      return;
    }
    const bar = makeEl('progress', 'build-progress');
    bar.setAttribute('aria-label', text.textContent);
    if (build.state === 'building' && Number(build.total) > 0) {
      bar.max = Number(build.total);
      bar.value = Number(build.embedded) || 0;
    }
    box.replaceChildren(text, bar, makeEl('p', 'build-hint', t('buildHint')));
  }

  /* ---------- start ---------- */

  function init() {
    ui.conversation = document.getElementById('conversation');
    ui.form = document.getElementById('ask-form');
    ui.question = document.getElementById('question');
    ui.send = document.getElementById('send');
    ui.notice = document.getElementById('composer-notice');
    ui.buildStatus = document.getElementById('build-status');
    document.getElementById('new-chat').addEventListener('click', newConversation);

    ui.form.addEventListener('submit', function (event) { event.preventDefault(); submitQuestion(); });
    ui.question.addEventListener('keydown', onQuestionKeydown);
    ui.question.addEventListener('input', function () { if (!ui.notice.hidden) clearNotice(); });
    document.querySelectorAll('.lang-button').forEach(function (btn) {
      btn.addEventListener('click', function () { setLanguage(btn.dataset.lang); });
    });

    initCollection();
    applyLanguage();
    checkReady();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
