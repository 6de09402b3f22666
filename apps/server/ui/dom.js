// The one way the dashboard builds markup. Children that are strings or numbers become text
// nodes, so text from the store is never parsed as HTML, whatever it contains.

/**
 * `h('td', { className: 'num' }, 'text', child)`. Props: `className`, `hidden`, `title`, `type`,
 * `value`, `on<Event>` handlers, anything else as an attribute (never `style`: the CSP forbids it).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'className' || name === 'hidden' || name === 'value') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// The call each results element waits for (`loadInto`): an answer to an earlier one is dropped.
const latestCall = new WeakMap();

/** Replaces the element's content; a call still loading into it (`loadInto`) is not shown when it answers. */
export function show(parent, ...children) {
  latestCall.delete(parent);
  parent.replaceChildren();
  append(parent, children);
}

/** A refused or failed call, in words: the server's own message. */
export function errorNotice(error) {
  return h('p', { className: 'error', role: 'alert' }, error.message);
}

/** A button that runs `again`: beside a failed call's message, so a passing outage needs no reload. */
export function retryButton(again) {
  return h('button', { type: 'button', className: 'retry', onClick: () => again() }, 'Try again');
}

/**
 * Shows `waiting` in `parent` while `call` runs, then its error in place of the results, with a
 * "Try again" button that runs `again`. Resolves to the answer, or to `undefined` once the error
 * is shown, or when `parent` was given other content meanwhile (`show`, as a later `loadInto`
 * does): of two filters submitted in a row only the latest may fill the results, though the first
 * one's answer may come last.
 */
export async function loadInto(parent, waiting, call, again) {
  show(parent, h('p', { className: 'muted' }, waiting));
  const ticket = {};
  latestCall.set(parent, ticket);
  try {
    const answer = await call();
    return latestCall.get(parent) === ticket ? answer : undefined;
  } catch (error) {
    if (latestCall.get(parent) === ticket) show(parent, errorNotice(error), retryButton(again));
    return undefined;
  }
}

// A polite live region outside the view: the view itself is not one, or each page of rows it
// shows would be read out whole.
const status = document.getElementById('status');

/**
 * Tells assistive technology what `shown` just showed ("Episodes, page 2: 25 shown."); nothing
 * when it is no longer in the page (an answer that came after the user went on to another view).
 */
export function announce(shown, text) {
  if (shown.isConnected) status.textContent = text;
}

/** A view's `<h2>`; focusable from script, where the focus goes when the control that had it is gone. */
export function viewHeading(text) {
  return h('h2', { tabindex: '-1' }, text);
}

/** A `<dl>` of label → value pairs; values that are `null` or `undefined` show as "–". */
export function facts(pairs) {
  return h(
    'dl',
    { className: 'facts' },
    pairs.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value ?? '–')]),
  );
}

/**
 * A table with a header row, in a box that scrolls sideways on a narrow screen (the page itself
 * does not); `rows` are arrays of cells (strings or nodes) or ready `<tr>`s.
 */
export function table(headers, rows, className) {
  return h(
    'div',
    { className: 'scroll' },
    h(
      'table',
      { className },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((header) => h('th', {}, header)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          row instanceof Node
            ? row
            : h(
                'tr',
                {},
                row.map((cell) => h('td', {}, cell)),
              ),
        ),
      ),
    ),
  );
}

/**
 * Cursor paging: `cursors` is the stack of cursors that led to the page shown (the first is
 * `undefined`); the buttons push `nextCursor` or pop, then call `reload` with the way turned
 * (`'next'` or `'previous'`), which it hands to `refocus` once the new page is shown.
 */
export function pager(cursors, nextCursor, reload) {
  const back = h('button', { type: 'button', disabled: cursors.length === 1 }, '← Previous');
  const forward = h('button', { type: 'button', disabled: nextCursor === null }, 'Next →');
  // Disabled on the first click: a second one before the page loads would skip a page.
  const go = (move, way) => () => {
    back.disabled = true;
    forward.disabled = true;
    move();
    reload(way);
  };
  const previousPage = () => cursors.pop();
  const nextPage = () => cursors.push(nextCursor);
  back.addEventListener('click', go(previousPage, 'previous'));
  forward.addEventListener('click', go(nextPage, 'next'));
  return h('div', { className: 'pager' }, back, h('span', {}, `page ${cursors.length}`), forward);
}

/**
 * The button pressed went with the content it was in: the new pager's button for the same `way`
 * takes the focus (`'previous'`; `'next'` or `'retry'`, from "Try again": "Next →"), else its
 * other one (at an end of the list), else `fallback`, so a keyboard user keeps their place. `way`
 * `undefined`: nothing was pressed (a first load, a filter), the focus stays where it is.
 */
export function refocus(paging, way, fallback) {
  if (way === undefined) return;
  const [back, forward] = paging.querySelectorAll('button');
  const order = way === 'previous' ? [back, forward] : [forward, back];
  [...order, fallback].find((element) => element !== undefined && !element.disabled)?.focus();
}
