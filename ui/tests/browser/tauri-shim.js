// Tauri's IPC internals for a page served by the bridge (src-tauri/examples/muster-bridge): what
// @tauri-apps/api's core.js and event.js call on window.__TAURI_INTERNALS__ and
// window.__TAURI_EVENT_PLUGIN_INTERNALS__, forwarded to the real app over HTTP. It only forwards:
// every command (plugin:event|listen and unlisten included) goes to the app's own IPC handler and
// its answer or error comes back as is; the app's events arrive as server-sent events and are
// handed to the listeners the app registered. It records the calls made and the events handed
// on, so tests can count them.
//
// Injected by helpers.mjs before the UI loads, after window.__MUSTER_BRIDGE__ = { session }.
(() => {
  'use strict';

  const session = window.__MUSTER_BRIDGE__ && window.__MUSTER_BRIDGE__.session;
  if (!session) throw new Error('tauri-shim: window.__MUSTER_BRIDGE__.session is not set');
  const base = `/s/${encodeURIComponent(session)}`;

  /** Every invoke, in order: { cmd, args } (args as sent, as JSON). */
  const calls = [];
  /** Every event the app pushed while the page was listening for it: { event, payload }. */
  const received = [];
  const callbacks = new Map();
  let nextCallback = 1;
  /** The app's listeners: eventId -> { event, handler } (handler: a callback id). */
  const listeners = new Map();

  function transformCallback(callback, once = false) {
    const id = nextCallback++;
    const run = (data) => {
      if (once) unregisterCallback(id);
      return callback && callback(data);
    };
    callbacks.set(id, run);
    // As Tauri does: the backend's messages reach window['_' + id].
    Object.defineProperty(window, `_${id}`, { value: run, writable: true, configurable: true });
    return id;
  }
  function unregisterCallback(id) {
    callbacks.delete(id);
    Reflect.deleteProperty(window, `_${id}`);
  }
  function runCallback(id, data) {
    const callback = callbacks.get(id);
    if (callback) callback(data);
  }

  // The app's events, from the moment the stream is open (as a window hears what is emitted
  // after it listens). A listener is registered only once the stream is open.
  const stream = new EventSource(`${base}/events`);
  const streamOpen = new Promise((resolve) => stream.addEventListener('open', () => resolve(undefined)));
  stream.addEventListener('message', (message) => {
    const { event, payload } = JSON.parse(message.data);
    if ([...listeners.values()].some((l) => l.event === event)) received.push({ event, payload });
    for (const [eventId, listener] of [...listeners]) {
      if (listener.event === event) runCallback(listener.handler, { event, id: eventId, payload });
    }
  });

  async function forward(cmd, args) {
    const response = await fetch(`${base}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cmd, args }),
    });
    const body = await response.json();
    if (!response.ok) throw `bridge: ${body.bridge_error ?? response.status}`;
    return body;
  }

  async function invoke(cmd, args = {}, _options) {
    // JSON, as it crosses Tauri's IPC (Svelte's state proxies and undefined behave the same).
    const sent = args === undefined ? {} : JSON.parse(JSON.stringify(args));
    calls.push({ cmd, args: sent });
    if (cmd === 'plugin:event|listen') await streamOpen;
    const body = await forward(cmd, sent);
    if ('error' in body) throw body.error;
    if (cmd === 'plugin:event|listen') listeners.set(body.ok, { event: sent.event, handler: sent.handler });
    if (cmd === 'plugin:event|unlisten') listeners.delete(sent.eventId);
    return body.ok;
  }

  window.__TAURI_INTERNALS__ = Object.assign(window.__TAURI_INTERNALS__ || {}, {
    invoke,
    transformCallback,
    unregisterCallback,
    runCallback,
    callbacks,
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    convertFileSrc: (path, protocol = 'asset') => `${protocol}://localhost/${encodeURIComponent(path)}`,
  });
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = Object.assign(window.__TAURI_EVENT_PLUGIN_INTERNALS__ || {}, {
    unregisterListener: (_event, eventId) => {
      const listener = listeners.get(eventId);
      listeners.delete(eventId);
      if (listener) unregisterCallback(listener.handler);
    },
  });
  window.__bridge = {
    calls,
    received,
    /** The events the app listens for now. */
    listening: () => [...new Set([...listeners.values()].map((l) => l.event))],
  };
})();
