// faqbot chat: sends questions and taps to /api/ask and shows the replies as chat bubbles.
// Every text from the server goes into the page as text (textContent), never as markup. The
// phone numbers of the bot's replies (official content, marked by the server in "parts") stay
// on one line and are tel: links on every device; what the user typed is shown as typed.
// Editors (the server renders the switch for them only) can show the decision behind a reply.
'use strict';

(() => {
  // The page's texts in both languages, from the content (faqbot.yaml's messages web_*), as
  // the server wrote them into the page.
  let strings = { ja: {}, en: {} };
  try {
    strings = JSON.parse(document.getElementById('texts').textContent);
  } catch (e) { /* no texts: the names show */ }

  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const form = $('ask');
  const input = $('q');
  const sendButton = $('send');
  const decisionToggle = $('show-decision'); // null unless the reader is an editor
  const editor = decisionToggle !== null;

  const stored = (key) => {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  };
  const store = (key, value) => {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode: not remembered */ }
  };

  // The interface follows the browser's language until the user switches it.
  const saved = stored('faqbot.lang');
  const browser = ((navigator.languages && navigator.languages[0]) || navigator.language || 'ja').toLowerCase();
  let ui = saved === 'ja' || saved === 'en' ? saved : (browser.startsWith('ja') ? 'ja' : 'en');
  let conversation = '';
  let busy = false;
  let onlyWelcome = false;

  const t = (key) => (strings[ui] || {})[key] || (strings.ja || {})[key] || key;

  // el makes an element; children are nodes or strings (as text).
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) node.append(c);
    }
    return node;
  }

  // linkify returns the text as nodes, its http(s) addresses as links.
  function linkify(text) {
    const frag = document.createDocumentFragment();
    const re = /https?:\/\/[^\s<>"'）」】]+/g;
    let last = 0;
    for (const m of text.matchAll(re)) {
      frag.append(text.slice(last, m.index));
      const a = el('a', { href: m[0], target: '_blank', rel: 'noopener noreferrer' });
      a.textContent = m[0];
      frag.append(a);
      last = m.index + m[0].length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  // replyText returns a reply of the bot as nodes: its text, its addresses as links, and the
  // phone numbers the server marked as tel: links (fax numbers as text) kept on one line.
  function replyText(res) {
    const frag = document.createDocumentFragment();
    const parts = Array.isArray(res.parts) ? res.parts : [{ text: res.body || '' }];
    for (const p of parts) {
      if (p.phone && typeof p.tel === 'string' && /^\+?[0-9]+$/.test(p.tel)) {
        frag.append(el('a', { class: 'tel', href: 'tel:' + p.tel, 'aria-label': t('call') + ' ' + p.text }, p.text));
      } else if (p.phone) {
        frag.append(el('span', { class: 'tel' }, p.text));
      } else {
        frag.append(linkify(String(p.text || '')));
      }
    }
    return frag;
  }

  function applyStrings() {
    document.documentElement.lang = ui;
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
    // The brand, in both languages in the page: the company's name and its notice.
    for (const node of document.querySelectorAll('[data-brand]')) {
      node.textContent = node.dataset[ui] || node.dataset.ja || '';
    }
    const name = document.querySelector('.brand-name');
    document.title = (name ? name.textContent + ' ' : '') + t('title');
    input.placeholder = t('placeholder');
    log.setAttribute('aria-label', t('log'));
    const sw = $('lang');
    sw.textContent = t('switch_to');
    sw.lang = ui === 'ja' ? 'en' : 'ja';
    sw.setAttribute('aria-label', t('switch_label'));
  }

  function scrollTo(node) {
    if (node.offsetHeight > log.clientHeight * 0.8) {
      log.scrollTop = node.offsetTop - 8; // the log is the offset parent
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  function userBubble(text) {
    const row = el('div', { class: 'row user' },
      el('span', { class: 'sr-only', text: t('you') + ': ' }),
      el('div', { class: 'bubble', text: text }));
    log.append(row);
    scrollTo(row);
  }

  function thinkingBubble() {
    const row = el('div', { class: 'row bot thinking' },
      el('div', { class: 'bubble' },
        el('span', { class: 'dots', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')),
        el('span', { class: 'sr-only', text: t('thinking') })));
    log.append(row);
    scrollTo(row);
    return row;
  }

  function noticeBubble(text, kind) {
    const row = el('div', { class: 'row bot ' + (kind || '') }, el('div', { class: 'bubble', text: text }));
    log.append(row);
    scrollTo(row);
    return row;
  }

  function decisionPanel(res) {
    const kinds = (res.pii || []).join(', ');
    const rows = [
      ['entry', res.entry || '—', 'entry'],
      ['score', String(res.score)],
      ['lang', res.lang || '—'],
      ['action', res.action],
      ['handoff', res.handoff ? t('yes') : t('no')],
      ['pii', kinds || t('none'), kinds ? 'pii' : ''],
      ['reason', res.reason || '—'],
    ];
    if (res.query) rows.push(['query', res.query]);
    if (res.followups && res.followups.length) rows.push(['followups', res.followups.join(', ')]);
    if (res.suggestions && res.suggestions.length) rows.push(['suggestions', res.suggestions.join(', ')]);
    const dl = el('dl');
    for (const [key, value, cls] of rows) {
      dl.append(el('dt', { text: t(key) }), el('dd', { class: cls || '', 'data-field': key, text: value }));
    }
    return el('section', { class: 'decision', 'aria-label': t('decision') }, dl);
  }

  function botBubble(res) {
    const bubble = el('div', { class: 'bubble' }, el('p', { class: 'text' }, replyText(res)));
    const choices = res.choices || [];
    if (choices.length) {
      const kind = ['followups', 'welcome', 'suggestions'].includes(res.choice_kind) ? res.choice_kind : 'suggestions';
      const group = el('div', { class: 'choices ' + kind, role: 'group', 'aria-label': t('choices') });
      for (const c of choices) {
        group.append(el('button', {
          type: 'button', class: 'choice', 'data-entry': c.entry,
          onclick: () => send({ choice: c.entry, lang: res.lang || ui }, c.label),
        }, c.label));
      }
      bubble.append(group);
    }
    if (res.desk && res.desk.tel) {
      bubble.append(el('div', { class: 'choices' },
        el('a', { class: 'choice desk', href: 'tel:' + res.desk.tel }, res.desk.label)));
    }
    if (res.helpful && res.entry) bubble.append(helpfulBox(res));
    // The decision comes only to editors; a page without the switch never shows one.
    const panel = editor && res.action ? decisionPanel(res) : null;
    const row = el('div', { class: 'row bot' + (res.handoff ? ' handoff' : '') },
      el('span', { class: 'sr-only', text: t('bot') + ': ' }), bubble, panel);
    log.append(row);
    scrollTo(row);
    return row;
  }

  function helpfulBox(res) {
    const box = el('div', { class: 'helpful' }, el('span', { text: res.helpful.ask }));
    const answer = async (helpful) => {
      for (const b of box.querySelectorAll('button')) b.disabled = true;
      try {
        const r = await fetch('/api/feedback', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ conversation, entry: res.entry, helpful, lang: res.lang || ui }),
        });
        const data = await r.json();
        box.replaceChildren(el('span', { class: 'thanks', text: r.ok ? data.message : (data.message || t('error')) }));
      } catch (e) {
        box.replaceChildren(el('span', { class: 'thanks', text: t('offline') }));
      }
    };
    box.append(el('span', { class: 'answers' },
      el('button', { type: 'button', class: 'mini', onclick: () => answer(true) }, res.helpful.yes),
      el('button', { type: 'button', class: 'mini', onclick: () => answer(false) }, res.helpful.no)));
    return box;
  }

  function setBusy(b) {
    busy = b;
    sendButton.disabled = b;
    log.setAttribute('aria-busy', b ? 'true' : 'false');
  }

  // send asks the server; echo is what the user's bubble shows.
  async function send(payload, echo) {
    if (busy) return;
    setBusy(true);
    onlyWelcome = false;
    userBubble(echo);
    const waiting = thinkingBubble();
    try {
      const r = await fetch('/api/ask', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(Object.assign({ conversation, lang: ui }, payload)),
      });
      let data = {};
      try { data = await r.json(); } catch (e) { /* not JSON: handled below */ }
      waiting.remove();
      if (data.conversation) conversation = data.conversation;
      if (r.ok) {
        botBubble(data);
      } else if (r.status === 429 && data.message) {
        noticeBubble(data.message, 'error');
      } else if (r.status === 404) {
        noticeBubble(t('unknown_choice'), 'error');
      } else {
        noticeBubble(t('error') + (data.error ? ' (' + data.error + ')' : ''), 'error');
      }
    } catch (e) {
      waiting.remove();
      noticeBubble(t('offline'), 'error');
    } finally {
      setBusy(false);
    }
  }

  async function welcome() {
    try {
      const r = await fetch('/api/welcome?lang=' + encodeURIComponent(ui));
      if (!r.ok) return;
      botBubble(await r.json());
      onlyWelcome = true;
    } catch (e) {
      noticeBubble(t('offline'), 'error');
    }
  }

  function reset() {
    conversation = '';
    for (const row of log.querySelectorAll('.row')) row.remove();
    welcome();
    input.focus();
  }

  function grow() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 160) + 'px';
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q || busy) return;
    input.value = '';
    grow();
    send({ query: q }, q);
  });
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter breaks the line; never while an input method is composing.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener('input', grow);
  if (editor) {
    decisionToggle.addEventListener('change', () => {
      // Whoever reads the newest reply keeps reading it when the panels open or close.
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      document.body.classList.toggle('show-decision', decisionToggle.checked);
      if (atBottom) log.scrollTop = log.scrollHeight;
      store('faqbot.decision', decisionToggle.checked ? '1' : '0');
    });
    decisionToggle.checked = stored('faqbot.decision') === '1';
    document.body.classList.toggle('show-decision', decisionToggle.checked);
  }
  $('lang').addEventListener('click', () => {
    ui = ui === 'ja' ? 'en' : 'ja';
    store('faqbot.lang', ui);
    applyStrings();
    if (onlyWelcome) reset();
  });
  $('reset').addEventListener('click', reset);

  applyStrings();
  welcome();
})();
