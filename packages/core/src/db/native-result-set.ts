import type { ResultSet, Row, Value } from '@libsql/client';

/** What every row of one prepared statement shares: its column names and index accessors. */
export interface RowShape {
  columns: string[];
  columnTypes: string[];
  prototype: object;
}

const values = Symbol('values');

/**
 * Rows as `@libsql/client` gives them (values by column name, enumerable; by index and
 * `length`, not), built once per statement: the index accessors live on a shared prototype
 * instead of being defined on every row.
 */
export function createRowShape(columns: { name: string; type: string | null }[]): RowShape {
  const prototype = {};
  Object.defineProperty(prototype, 'length', { value: columns.length });
  for (let index = 0; index < columns.length; index += 1) {
    Object.defineProperty(prototype, index, {
      get(this: { [values]: Value[] }) {
        return this[values][index];
      },
    });
  }
  return {
    columns: columns.map((column) => column.name),
    columnTypes: columns.map((column) => column.type ?? ''),
    prototype,
  };
}

/** The driver returns BLOBs as Buffers, often views into a shared pool; a row owns its bytes. */
function fromSql(value: unknown): Value {
  if (value instanceof Uint8Array)
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;
  return value as Value;
}

function toRow(shape: RowShape, raw: unknown[]): Row {
  const row = Object.create(shape.prototype) as Record<string | symbol, unknown>;
  Object.defineProperty(row, values, { value: raw });
  for (let index = 0; index < raw.length; index += 1) {
    const value = fromSql(raw[index]);
    raw[index] = value;
    const column = shape.columns[index] as string;
    // A repeated column name keeps its first value, as in `@libsql/client`.
    if (!Object.hasOwn(row, column)) row[column] = value;
  }
  return row as unknown as Row;
}

export function createResultSet(
  shape: RowShape | null,
  raw: unknown[][],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  const columns = shape?.columns ?? [];
  const columnTypes = shape?.columnTypes ?? [];
  const rows = shape === null ? [] : raw.map((values) => toRow(shape, values));
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((row) => Array.from(row)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid === undefined ? null : lastInsertRowid.toString(),
    }),
  };
}
