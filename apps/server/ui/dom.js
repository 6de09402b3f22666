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

/** Replaces the element's content. */
export function show(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
}

/** A refused or failed call, in words: the server's own message. */
export function errorNotice(error) {
  return h('p', { className: 'error', role: 'alert' }, error.message);
}

/**
 * Shows `waiting` in `parent` while `call` runs, then its error in place of the results: the
 * answer, or `undefined` once the error is shown.
 */
export async function loadInto(parent, waiting, call) {
  show(parent, h('p', { className: 'muted' }, waiting));
  try {
    return await call();
  } catch (error) {
    show(parent, errorNotice(error));
    return undefined;
  }
}

/** A `<dl>` of label → value pairs; values that are `null` or `undefined` show as "–". */
export function facts(pairs) {
  return h(
    'dl',
    { className: 'facts' },
    pairs.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value ?? '–')]),
  );
}

/** A table with a header row; `rows` are arrays of cells (strings or nodes) or ready `<tr>`s. */
export function table(headers, rows) {
  return h(
    'table',
    {},
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
  );
}

/**
 * Cursor paging: `cursors` is the stack of cursors that led to the page shown (the first is
 * `undefined`); the buttons push `nextCursor` or pop, then call `reload`.
 */
export function pager(cursors, nextCursor, reload) {
  const back = h('button', { type: 'button', disabled: cursors.length === 1 }, '← Previous');
  const forward = h('button', { type: 'button', disabled: nextCursor === null }, 'Next →');
  // Disabled on the first click: a second one before the page loads would skip a page.
  const go = (move) => () => {
    back.disabled = true;
    forward.disabled = true;
    move();
    reload();
  };
  const previousPage = () => cursors.pop();
  const nextPage = () => cursors.push(nextCursor);
  back.addEventListener('click', go(previousPage));
  forward.addEventListener('click', go(nextPage));
  return h('div', { className: 'pager' }, back, h('span', {}, `page ${cursors.length}`), forward);
}
