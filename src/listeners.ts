/**
 * A listener added is a listener removed (STYLE.md #3, ws' `addListeners`): `listen` adds a set of
 * handlers and returns the one function that removes exactly those, so a start and its undo stay
 * side by side and cannot drift apart when a handler is added later.
 */
import type { EventEmitter } from 'node:events';

/** The listener type EventEmitter itself takes (its arguments are the event's own). */
type Handler = Parameters<EventEmitter['on']>[1];
type Handlers = Readonly<Record<string, Handler>>;

/** Node emitters (sockets, servers, `process`, ws) and DOM-style targets (AbortSignal). */
export type Listenable = Pick<EventEmitter, 'on' | 'off'> | EventTarget;

/** Adds every handler, in the order given; the returned remover takes them all off and is safe to call twice. */
export function listen(target: Listenable, handlers: Handlers): () => void {
  const entries = Object.entries(handlers);
  if (isEventTarget(target)) {
    for (const [event, handler] of entries) target.addEventListener(event, handler);
    return () => {
      for (const [event, handler] of entries) target.removeEventListener(event, handler);
    };
  }
  for (const [event, handler] of entries) target.on(event, handler);
  return () => {
    for (const [event, handler] of entries) target.off(event, handler);
  };
}

/** Emitter first: a ws WebSocket has both, and its addEventListener hands handlers event objects, not the arguments. */
function isEventTarget(target: Listenable): target is EventTarget {
  return typeof (target as Partial<EventEmitter>).on !== 'function';
}
