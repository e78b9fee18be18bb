/*
 * frontdesk chat widget — vanilla JS (ES2019), no dependencies, no build step.
 * Embed with:
 *   <script src="https://HOST/widget.js" data-business="SLUG" async></script>
 * Talks only to the origin it was loaded from; sets no cookies.
 */
(function () {
  'use strict';

  // Guard against the tag being included twice.
  if (window.__frontdeskWidget) return;
  window.__frontdeskWidget = true;

  // --- Locate our own <script> tag: business slug and server origin -------
  var script =
    document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-business]');
  var slug = script && script.getAttribute('data-business');
  var origin;
  try {
    origin = new URL(script.src, location.href).origin;
  } catch (e) {
    origin = null;
  }
  if (!slug || !origin) {
    console.warn('[frontdesk] widget: missing data-business or script src');
    return;
  }
  var api = origin + '/api/v1/businesses/' + encodeURIComponent(slug);

  // --- Storage: localStorage with an in-memory fallback (privacy mode) ----
  var mem = {};
  var store = {
    get: function (k) {
      try {
        var v = window.localStorage.getItem(k);
        if (v !== null) return v;
      } catch (e) { /* storage blocked */ }
      return Object.prototype.hasOwnProperty.call(mem, k) ? mem[k] : null;
    },
    set: function (k, v) {
      mem[k] = v;
      try { window.localStorage.setItem(k, v); } catch (e) { /* memory only */ }
    },
    del: function (k) {
      delete mem[k];
      try { window.localStorage.removeItem(k); } catch (e) { /* memory only */ }
    }
  };
  var K_VISITOR = 'frontdesk:visitor';
  var K_CONV = 'frontdesk:conversation:' + slug;
  var K_OPEN = 'frontdesk:open:' + slug;

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') return c.randomUUID();
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' +
      h.slice(16, 20) + '-' + h.slice(20);
  }

  var visitorId = store.get(K_VISITOR);
  if (!visitorId) {
    visitorId = uuid();
    store.set(K_VISITOR, visitorId);
  }
  var conversationId = store.get(K_CONV);

  // --- Styles (scoped to the shadow root) ----------------------------------
  var ACCENT = '#2563eb';
  var CSS = [
    ':host{all:initial!important}',
    '.fd-root{all:initial;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:15px;line-height:1.45;color:#1f2937}',
    '.fd-root *{box-sizing:border-box;font:inherit;color:inherit}',
    'button{cursor:pointer;border:0;background:none;margin:0;padding:0}',
    'button:focus-visible,textarea:focus-visible{outline:3px solid ' + ACCENT + ';outline-offset:2px}',
    '.fd-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border-radius:50%;background:' + ACCENT + ';color:#fff;display:flex;align-items:center;justify-content:center;box-shadow:0 6px 20px rgba(15,23,42,.25);transition:transform .15s ease}',
    '.fd-launcher:hover{transform:scale(1.06)}',
    '.fd-launcher svg{width:26px;height:26px;fill:#fff}',
    '.fd-panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:360px;height:520px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;border:1px solid #e5e7eb;border-radius:16px;box-shadow:0 16px 48px rgba(15,23,42,.22);overflow:hidden;animation:fd-in .18s ease-out}',
    '.fd-panel[hidden]{display:none}',
    '@keyframes fd-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}',
    '.fd-head{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:12px 14px;background:' + ACCENT + ';color:#fff}',
    '.fd-title{font-weight:600;font-size:16px;color:#fff;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}',
    '.fd-close{width:32px;height:32px;border-radius:8px;color:#fff;font-size:22px;line-height:1}',
    '.fd-close:hover{background:rgba(255,255,255,.15)}',
    '.fd-close:focus-visible{outline-color:#fff;outline-offset:-3px}',
    '.fd-log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;background:#f8fafc}',
    '.fd-msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.fd-msg-assistant{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}',
    '.fd-msg-visitor{align-self:flex-end;background:' + ACCENT + ';color:#fff;border-bottom-right-radius:4px}',
    '.fd-msg-error{background:#fff7ed;border-color:#fdba74;color:#7c2d12}',
    '.fd-msg-action{background:#ecfdf3;border-color:#86efac;color:#14532d;font-size:.85em}',
    '.fd-msg-emergency{border:2px solid #dc2626;background:#fef2f2;color:#7f1d1d}',
    '.fd-typing{align-self:flex-start;display:flex;gap:4px;padding:12px;background:#fff;border:1px solid #e5e7eb;border-radius:14px;border-bottom-left-radius:4px}',
    '.fd-typing span{width:7px;height:7px;border-radius:50%;background:#9ca3af;animation:fd-dot 1s infinite ease-in-out}',
    '.fd-typing span:nth-child(2){animation-delay:.15s}.fd-typing span:nth-child(3){animation-delay:.3s}',
    '@keyframes fd-dot{0%,80%,100%{opacity:.3;transform:translateY(0)}40%{opacity:1;transform:translateY(-3px)}}',
    '.fd-form{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff}',
    '.fd-input{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 12px;border:1px solid #d1d5db;border-radius:10px;background:#fff;color:#111827}',
    '.fd-input:focus{border-color:' + ACCENT + '}',
    '.fd-send{width:40px;height:40px;border-radius:10px;background:' + ACCENT + ';display:flex;align-items:center;justify-content:center}',
    '.fd-send svg{width:18px;height:18px;fill:#fff}',
    '.fd-send:disabled{opacity:.5;cursor:default}',
    '@media (max-width:480px){.fd-panel{top:0;left:0;right:0;bottom:0;width:auto;height:auto;max-height:none;border-radius:0;border:0}.fd-input{font-size:16px}}',
    '@media (prefers-reduced-motion:reduce){.fd-root *{animation:none!important;transition:none!important}}'
  ].join('\n');

  // Static markup only; anything from the server is set with textContent.
  var HTML =
    '<style>' + CSS + '</style>' +
    '<div class="fd-root">' +
    '<button type="button" class="fd-launcher" aria-label="Open chat" aria-expanded="false" aria-controls="fd-panel">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>' +
    '</button>' +
    '<div class="fd-panel" id="fd-panel" role="dialog" hidden>' +
    '<div class="fd-head"><span class="fd-title"></span>' +
    '<button type="button" class="fd-close" aria-label="Close chat">\u00d7</button></div>' +
    '<div class="fd-log" role="log" aria-live="polite"></div>' +
    '<form class="fd-form">' +
    '<textarea class="fd-input" rows="1" maxlength="2000" aria-label="Type your message" placeholder="Type your message\u2026"></textarea>' +
    '<button type="submit" class="fd-send" aria-label="Send message">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 20.5 21 12 3 3.5V10l12 2-12 2z"/></svg>' +
    '</button></form></div></div>';

  var ui = null; // filled in by build()
  var busy = false;

  function build(business) {
    var host = document.createElement('div');
    host.id = 'frontdesk-widget';
    var root = host.attachShadow({ mode: 'open' });
    root.innerHTML = HTML;
    var $ = function (sel) { return root.querySelector(sel); };
    ui = {
      launcher: $('.fd-launcher'),
      panel: $('.fd-panel'),
      log: $('.fd-log'),
      form: $('.fd-form'),
      input: $('.fd-input'),
      send: $('.fd-send'),
      typing: null
    };
    var name = business.name || 'us';
    $('.fd-title').textContent = name;
    ui.panel.setAttribute('aria-label', 'Chat with ' + name);

    ui.launcher.addEventListener('click', function () {
      setOpen(ui.panel.hidden, true);
    });
    $('.fd-close').addEventListener('click', function () {
      setOpen(false, true);
    });
    root.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && !ui.panel.hidden) {
        e.stopPropagation();
        setOpen(false, true);
      }
    });
    ui.form.addEventListener('submit', function (e) {
      e.preventDefault();
      send();
    });
    ui.input.addEventListener('keydown', function (e) {
      // Enter sends; Shift+Enter inserts a newline; leave IME composition alone.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        send();
      }
    });
    ui.input.addEventListener('input', autosize);

    document.body.appendChild(host);
  }

  // Open or close the panel. `focus` moves focus (input on open, launcher on close).
  function setOpen(open, focus) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute('aria-expanded', String(open));
    store.set(K_OPEN, open ? '1' : '0');
    if (open) {
      scrollDown();
      if (focus) ui.input.focus();
    } else if (focus) {
      ui.launcher.focus();
    }
  }

  function autosize() {
    var el = ui.input;
    el.style.height = 'auto';
    el.style.height = Math.min(el.scrollHeight + 2, 120) + 'px';
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // Append a message bubble; role is 'visitor' or 'assistant'.
  function addMsg(role, text, extra) {
    var div = document.createElement('div');
    div.className = 'fd-msg fd-msg-' + (role === 'visitor' ? 'visitor' : 'assistant') +
      (extra ? ' ' + extra : '');
    div.textContent = text;
    ui.log.insertBefore(div, ui.typing);
    scrollDown();
    return div;
  }

    // A short, visible (and announced) confirmation of what a turn did.
  var ACTION_NOTES = {
    lead_captured: 'Your details were sent to the team.',
    appointment_booked: 'Appointment booked.',
    appointment_rescheduled: 'Appointment moved.',
    appointment_cancelled: 'Appointment cancelled.'
  };
  function showActions(actions) {
    (Array.isArray(actions) ? actions : []).forEach(function (a) {
      var note = a && ACTION_NOTES[a.type];
      if (!note) return;
      if (a.type === 'appointment_booked' && typeof a.code === 'string') {
        note += ' Code: ' + a.code;
      }
      addMsg('assistant', '\u2713 ' + note, 'fd-msg-action');
    });
  }

  function showTyping() {
    if (ui.typing) return;
    var t = document.createElement('div');
    t.className = 'fd-typing';
    t.setAttribute('role', 'status');
    t.setAttribute('aria-label', 'Assistant is typing');
    t.innerHTML = '<span></span><span></span><span></span>';
    ui.typing = t;
    ui.log.appendChild(t);
    scrollDown();
  }

  function hideTyping() {
    if (ui.typing) ui.typing.remove();
    ui.typing = null;
  }

  // Dispatch one SSE event block ("event: x\ndata: y") to onEvent(name, data).
  function dispatch(block, onEvent) {
    var name = 'message';
    var data = [];
    block.split('\n').forEach(function (line) {
      if (!line || line[0] === ':') return; // blank or comment
      var c = line.indexOf(':');
      var field = c < 0 ? line : line.slice(0, c);
      var val = c < 0 ? '' : line.slice(c + 1);
      if (val[0] === ' ') val = val.slice(1);
      if (field === 'event') name = val;
      else if (field === 'data') data.push(val);
    });
    if (data.length) onEvent(name, data.join('\n'));
  }

  // Read a text/event-stream body, calling onEvent(name, data) per event.
  // Handles chunks split anywhere (mid-line, mid-character, mid-CRLF).
  async function readSSE(res, onEvent) {
    var reader = res.body.getReader();
    var dec = new TextDecoder();
    var buf = '';
    try {
      for (;;) {
        var r = await reader.read();
        buf += r.done ? dec.decode() : dec.decode(r.value, { stream: true });
        // Normalise line endings, holding back a trailing \r that may precede \n.
        buf = buf.replace(r.done ? /\r\n?/g : /\r\n|\r(?!$)/g, '\n');
        if (r.done) buf += '\n\n'; // flush a final event lacking its blank line
        var idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, idx), onEvent);
          buf = buf.slice(idx + 2);
        }
        if (r.done) return;
      }
    } catch (e) {
      reader.cancel().catch(function () {});
      throw e;
    }
  }

  function parse(s) {
    try { return JSON.parse(s); } catch (e) { return null; }
  }

  function Failure(status, code, message, retryAfter) {
    this.status = status;
    this.code = code || '';
    this.message = message || '';
    this.retryAfter = retryAfter || 0;
  }

  // Why the assistant is not answering (a closed account, a lapsed payment), in the
  // server's words; the chat stays shut.
  function showClosed(message) {
    addMsg('assistant', message || 'This assistant is no longer available.', 'fd-msg-error');
    ui.input.disabled = true;
    ui.send.disabled = true;
  }

  // What to tell the visitor when a message could not be answered: the server's own
  // words for the errors written for visitors, a friendly line otherwise.
  function failureText(err) {
    if (err && (err.status === 429 || err.code === 'rate_limited')) {
      var secs = err.retryAfter > 0 ? err.retryAfter : 0;
      return "You're sending messages a little too quickly. " +
        (secs ? 'Please wait ' + secs + ' second' + (secs === 1 ? '' : 's') + ' and try again.'
              : 'Please wait a moment and try again.');
    }
    if (err && (err.code === 'conversation_too_long' || err.code === 'assistant_unavailable') && err.message) {
      return err.message;
    }
    return 'Sorry \u2014 something went wrong. Please try again.';
  }

  // Send the visitor's message and stream the reply into a new bubble.
  async function send() {
    var text = ui.input.value.trim();
    if (!text || busy) return;
    busy = true;
    ui.send.disabled = true;
    addMsg('visitor', text);
    ui.input.value = '';
    autosize();
    showTyping();

    var bubble = null;
    var got = '';
    var finished = false;
    var post = function () {
      return fetch(api + '/messages', {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({
          visitor_id: visitorId,
          conversation_id: conversationId || null,
          text: text,
          page_url: location.href
        })
      });
    };
    try {
      var res = await post();
      if (res.status === 404 && conversationId) {
        // The stored conversation is gone (or was never ours): start a new one.
        conversationId = null;
        store.del(K_CONV);
        res = await post();
      }
      if (!res.ok || !res.body) {
        var body = parse(await res.text().catch(function () { return ''; }));
        var error = (body && body.error) || {};
        if (error.code === 'conversation_too_long') {
          // The next message starts a new conversation.
          conversationId = null;
          store.del(K_CONV);
        }
        throw new Failure(res.status, error.code, error.message,
          parseInt(res.headers.get('Retry-After') || '0', 10));
      }
      await readSSE(res, function (name, raw) {
        var d = parse(raw) || {};
        if (name === 'delta' && typeof d.text === 'string') {
          hideTyping();
          if (!bubble) {
            bubble = addMsg('assistant', '');
            ui.log.setAttribute('aria-busy', 'true'); // announce once, when complete
          }
          got += d.text;
          bubble.textContent = got;
          scrollDown();
        } else if (name === 'done') {
          finished = true;
          hideTyping();
          if (d.conversation_id) {
            conversationId = d.conversation_id;
            store.set(K_CONV, conversationId);
          }
          var reply = d.reply || {};
          if (!bubble) bubble = addMsg('assistant', '');
          if (typeof reply.text === 'string') bubble.textContent = reply.text;
                    if (reply.safety && reply.safety.verdict === 'emergency') {
            bubble.classList.add('fd-msg-emergency');
          }
          showActions(d.actions);
          scrollDown();
        } else if (name === 'error') {
          throw new Failure(0, d.error && d.error.code);
        }
      });
      if (!finished) throw new Failure(0, 'incomplete');
    } catch (err) {
      if (bubble && !finished) bubble.remove();
      if (err && err.code === 'account_closed') {
        showClosed(err.message);
        return;
      }
      addMsg('assistant', failureText(err), 'fd-msg-error');
      // Give the visitor their text back so they can resend it.
      if (!ui.input.value) {
        ui.input.value = text;
        autosize();
      }
    } finally {
      hideTyping();
      ui.log.removeAttribute('aria-busy');
      busy = false;
      ui.send.disabled = ui.input.disabled;
    }
  }

  // Previous messages of the stored conversation, or [] (forgets it on 404).
  async function loadHistory() {
    if (!conversationId) return [];
    try {
      var res = await fetch(
        api + '/conversations/' + encodeURIComponent(conversationId) +
        '?visitor_id=' + encodeURIComponent(visitorId),
        { credentials: 'omit', headers: { Accept: 'application/json' } }
      );
      if (res.status === 404) {
        conversationId = null;
        store.del(K_CONV);
        return [];
      }
      if (!res.ok) return [];
      var body = await res.json();
      return (body && body.messages) || [];
    } catch (e) {
      return [];
    }
  }

  function whenBodyReady() {
    return new Promise(function (resolve) {
      if (document.body) resolve();
      else document.addEventListener('DOMContentLoaded', function () { resolve(); });
    });
  }

  async function start() {
    var history = loadHistory(); // in parallel with the business lookup
    var business;
    var closed = null;
    try {
      var res = await fetch(api, { credentials: 'omit', headers: { Accept: 'application/json' } });
      if (res.status === 410) {
        var gone = parse(await res.text().catch(function () { return ''; }));
        closed = (gone && gone.error && gone.error.message) || '';
        business = { name: '', greeting: null };
      } else if (!res.ok) {
        throw new Error('HTTP ' + res.status);
      } else {
        business = await res.json();
      }
    } catch (e) {
      console.warn('[frontdesk] widget: could not load business "' + slug + '":', e);
      return;
    }
    await whenBodyReady();
    build(business);
    if (closed !== null) {
      showClosed(closed);
      return;
    }
    if (business.notice) {
      // The assistant is not answering for this business: say how to reach it instead.
      showClosed(business.notice);
      return;
    }
    if (business.greeting) addMsg('assistant', business.greeting);
    (await history).forEach(function (m) {
      if (m && typeof m.text === 'string') addMsg(m.role, m.text);
    });
    // Reopen after a reload, without stealing focus from the host page.
    if (store.get(K_OPEN) === '1') setOpen(true, false);
  }

  start();
})();
